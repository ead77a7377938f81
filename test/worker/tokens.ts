// Users' tokens for the Worker tests, signed here in workerd with the run's issuer keys
// (test/setup/worker-stack.ts), so the Worker verifies real signatures against a real JWKS.
// Every knob a hostile or broken token needs: another kid or none, header members, times, iss/aud.
import { importJWK, type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";
import { inject } from "vitest";

export type TokenAlg = "RS256" | "ES256" | "EdDSA";

export interface SignTokenOptions {
  /** Which of the issuer's keys signs. Default EdDSA (Neon Auth's). */
  alg?: TokenAlg;
  /** Sign with this private JWK instead (a key the test published, or one it never did); alg must match. */
  privateJwk?: JsonWebKey;
  /** The header's kid instead of the key's own; null leaves kid out. */
  kid?: string | null;
  /** More or other header members (typ, crit, …). */
  header?: Record<string, unknown>;
  /** exp in seconds from now (default 300); null leaves exp out. */
  expiresIn?: number | null;
  /** nbf in seconds from now (default none). */
  notBefore?: number;
  /** iat in seconds from now (default 0). */
  issuedAt?: number;
  /** Default the run's; null leaves the claim out. */
  issuer?: string | null;
  audience?: string | string[] | null;
}

/** undefined → the default; null → left out. */
const pick = <T>(value: T | null | undefined, fallback: T | undefined): T | undefined =>
  value === undefined ? fallback : (value ?? undefined);

/** A signed JWT: iss, aud, iat and exp (+5 min) by default, then `claims` (which win). */
export async function signToken(claims: JWTPayload, options: SignTokenOptions = {}): Promise<string> {
  const provided = inject("issuer");
  const alg = options.alg ?? "EdDSA";
  const own = provided.keys.find((key) => key.alg === alg)!;
  const jwk = options.privateJwk ?? own.privateJwk;
  const kid = pick(options.kid, (jwk as { kid?: string }).kid ?? own.kid);
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = pick(options.expiresIn, 300);
  const defaults: JWTPayload = {
    iss: pick(options.issuer, provided.issuer),
    aud: pick(options.audience, provided.audience),
    iat: now + (options.issuedAt ?? 0),
    exp: expiresIn === undefined ? undefined : now + expiresIn,
    nbf: options.notBefore === undefined ? undefined : now + options.notBefore,
  };
  const payload = Object.fromEntries(Object.entries({ ...defaults, ...claims }).filter(([, v]) => v !== undefined));
  const header = { alg, typ: "JWT", ...(kid === undefined ? {} : { kid }), ...options.header };
  return new SignJWT(payload).setProtectedHeader(header as JWTHeaderParameters).sign(await importJWK(jwk, alg));
}

/** A user's token as a provider would issue it; `role: "admin"` makes an admin by claim. */
export function userToken(sub: string, opts: { role?: string } = {}): Promise<string> {
  return signToken({ sub, ...(opts.role === undefined ? {} : { role: opts.role }) });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * The issuer's URLs. With a `tag` the JWKS and fault URLs carry `?t=<tag>`: pass a fresh UUID as a
 * test's own JWKS_URL (callWith) to start from a cold key cache and count only its own fetches.
 */
export function issuerUrls(tag?: string) {
  const { baseUrl, jwksUrl } = inject("issuer");
  const query = tag === undefined ? "" : `?t=${encodeURIComponent(tag)}`;
  const fault = (name: string) => `${baseUrl}/faults/${name}/jwks.json${query}`;
  return {
    jwks: `${jwksUrl}${query}`,
    faults: { status500: fault("500"), hang: fault("hang"), garbage: fault("garbage"), redirect: fault("redirect") },
    stats: `${baseUrl}/_local-issuer/stats`,
    /** POST {"jwk": <public JWK with kid and alg>}: the JWKS serves it from then on. */
    publish: `${baseUrl}/_local-issuer/publish`,
  };
}

/** How many times `url` (a JWKS or fault URL, query included) has been fetched this run. */
export async function jwksHits(url: string): Promise<number> {
  const stats = (await (await fetch(issuerUrls().stats)).json()) as { jwks: Record<string, number> };
  return stats.jwks[url] ?? 0;
}
