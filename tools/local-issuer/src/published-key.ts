// POST /_local-issuer/publish's body: {"jwk": <a public JWK with kid and alg>}. Tests make the key
// pair themselves and send only the public half, so the issuer never hands out a private key over
// HTTP; a body carrying a private member is refused rather than trimmed, to catch that mistake.
import type { JWK } from "jose";
import { isSigningAlg, publicJwkOf, SIGNING_ALGS } from "./keys.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The key to serve, or why the body is refused. */
export function parsePublishedKey(text: string): { jwk: JWK } | { error: string } {
  let body: { jwk?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'the body must be JSON: {"jwk": {…}}' };
  }
  const jwk = body?.jwk as Record<string, unknown> | undefined;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return { error: 'the body must be {"jwk": {…}}' };
  const leaked = PRIVATE_MEMBERS.filter((name) => name in jwk);
  if (leaked.length > 0) return { error: `send the public JWK only (it has ${leaked.join(", ")})` };
  if (typeof jwk.kid !== "string" || jwk.kid === "") return { error: "the JWK needs a kid" };
  if (!isSigningAlg(jwk.alg)) return { error: `the JWK's alg must be one of ${SIGNING_ALGS.join(", ")}` };
  try {
    return { jwk: publicJwkOf(jwk as JWK) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
