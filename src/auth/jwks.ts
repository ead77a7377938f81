import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from "jose";
import { invalidToken, issuerUnavailable } from "./problems";

/** How long one JWKS fetch may take before the request answers 503. */
export const JWKS_FETCH_TIMEOUT_MS = 3_000;
/** After a failed fetch, none is tried for this long: requests answer at once instead of each waiting. */
export const JWKS_OUTAGE_SECONDS = 5;
/** Key sets kept per isolate (one per URL and cooldown; production has one). */
const MAX_KEY_SETS = 32;

interface KeySet {
  remote: ReturnType<typeof createRemoteJWKSet>;
  /** Date.now() until which no fetch is tried (the outage breaker). */
  downUntil: number;
  /** During an outage: the keys last read, as a set of their own (built once per outage). */
  lastRead?: ReturnType<typeof createLocalJWKSet>;
}

// Per isolate, not per request: env arrives with each request, the cached keys must outlive it.
const keySets = new Map<string, KeySet>();

/**
 * jwtVerify's key resolver for a JWKS URL. jose caches the keys (10 min) and refetches for an
 * unknown kid at most once per cooldown; this adds a required kid, and an outage breaker: a JWKS
 * that cannot be read (network error, timeout, non-200, not a key set) is not fetched again for a
 * few seconds. Meanwhile the keys last read still verify the kids they hold, so one unknown kid
 * cannot take everyone down; any other token gets a 503. Errors about the token itself (no key
 * for its kid, its alg) are rethrown for verify.ts's 401.
 */
export function jwksKeys(url: URL, cooldownSeconds: number): JWTVerifyGetKey {
  const set = keySetFor(url, cooldownSeconds);
  return async (header, token) => {
    // jose would take the only key of a matching type when there is no kid: a key id is our rule.
    if (typeof header.kid !== "string" || header.kid === "") throw invalidToken("The token has no key id.");
    let failure: unknown;
    if (Date.now() >= set.downUntil) {
      try {
        const key = await set.remote(header, token);
        set.lastRead = undefined;
        return key;
      } catch (error) {
        if (aboutTheToken(error)) throw error;
        set.downUntil = Date.now() + JWKS_OUTAGE_SECONDS * 1000;
        failure = error;
      }
    }
    const read = set.remote.jwks();
    set.lastRead ??= read && createLocalJWKSet(read);
    const key = await set.lastRead?.(header, token).catch(() => undefined);
    if (key) return key;
    throw issuerUnavailable(JWKS_OUTAGE_SECONDS, failure);
  };
}

function keySetFor(url: URL, cooldownSeconds: number): KeySet {
  const id = `${cooldownSeconds} ${url.href}`;
  let set = keySets.get(id);
  if (!set) {
    if (keySets.size >= MAX_KEY_SETS) keySets.delete(keySets.keys().next().value!);
    const options = { cooldownDuration: cooldownSeconds * 1000, timeoutDuration: JWKS_FETCH_TIMEOUT_MS };
    set = { remote: createRemoteJWKSet(url, options), downUntil: 0 };
    keySets.set(id, set);
  }
  return set;
}

/** The set was read, and has no single key for this token: the token's problem, not the issuer's. */
const aboutTheToken = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported;
