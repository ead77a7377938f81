// Signs a user's token as a real provider would: kid and alg in the header, iss/aud/sub/iat/exp in
// the claims, plus the optional profile claims the app reads (role for admin, email, name).
import { importJWK, SignJWT } from "jose";
import type { IssuerKey } from "./keys.js";

export interface UserClaims {
  sub: string;
  role?: string;
  email?: string;
  name?: string;
}

export interface MintOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export async function mintToken(key: IssuerKey, claims: UserClaims, opts: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  // Absent claims stay absent (no "role": undefined), as a provider that has no value sends none.
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + opts.ttlSeconds)
    .sign(await importJWK(key.privateJwk, key.alg));
}
