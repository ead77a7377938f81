// The issuer's signing keys: one per algorithm the providers we target use (Auth0, Clerk and Access
// sign with RS256, Neon Auth with EdDSA; ES256 is the common third). kid is the RFC 7638
// thumbprint, so a key names itself and a regenerated key never reuses an old kid.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

export const SIGNING_ALGS = ["RS256", "ES256", "EdDSA"] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface IssuerKey {
  alg: SigningAlg;
  kid: string;
  /** The whole key pair, with kid, alg and use: what signs tokens. Never served. */
  privateJwk: JWK;
  /** Only the public members, with kid, alg and use: what the JWKS serves. */
  publicJwk: JWK;
}

/** The members that make up a public key, per key type; anything else (d, p, q, …) is private. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ["n", "e"],
  EC: ["crv", "x", "y"],
  OKP: ["crv", "x"],
};

export const isSigningAlg = (alg: unknown): alg is SigningAlg => SIGNING_ALGS.includes(alg as SigningAlg);

/**
 * The public half of a JWK: kty, its key type's public members, kid, alg and use:"sig".
 * An allow-list, so a member we did not think of can never leak a private value.
 */
export function publicJwkOf(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
  if (!members) throw new Error(`unsupported key type ${jwk.kty}: expected RSA, EC or OKP`);
  const source = jwk as Record<string, unknown>;
  const picked: Record<string, unknown> = { kty: jwk.kty };
  for (const name of [...members, "kid", "alg"]) if (source[name] !== undefined) picked[name] = source[name];
  return { ...picked, use: "sig" } as JWK;
}

/** A private JWK as the issuer's key: its kid (the thumbprint) and public half computed here. */
export async function issuerKeyOf(privateJwk: JWK, alg: SigningAlg): Promise<IssuerKey> {
  const kid = await calculateJwkThumbprint(privateJwk, "sha256");
  const named = { ...privateJwk, kid, alg, use: "sig" };
  return { alg, kid, privateJwk: named, publicJwk: publicJwkOf(named) };
}

/** A fresh key for each algorithm: RSA 2048, P-256, Ed25519. */
export function generateIssuerKeys(): Promise<IssuerKey[]> {
  return Promise.all(
    SIGNING_ALGS.map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
      return issuerKeyOf(await exportJWK(privateKey), alg);
    }),
  );
}
