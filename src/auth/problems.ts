import { ProblemError } from "../errors/problem";

// The 401, 503 and 429 answers of authentication and rate limiting. 401s carry RFC 6750's
// challenge; their descriptions are fixed texts, never the token or a claim from it.

const CHALLENGE = 'Bearer realm="api"';

/** No bearer credential at all: the challenge without an error code (RFC 6750 §3.1). */
export const credentialMissing = () =>
  new ProblemError(401, "A bearer token is required.", { headers: { "WWW-Authenticate": CHALLENGE } });

/** A bearer credential that is not accepted. `description` is one of this module's fixed texts. */
export const invalidToken = (description: TokenRefusal) =>
  new ProblemError(401, `The bearer token is not accepted: ${description}`, {
    type: "urn:problem-type:invalid-token",
    headers: { "WWW-Authenticate": `${CHALLENGE}, error="invalid_token", error_description="${description}"` },
  });

/** Every reason a token is refused (RFC 6750: no `"` or `\`, which would end the quoted string). */
export type TokenRefusal =
  | "The token is not valid."
  | "The token is too large."
  | "The token has no key id."
  | "The token's signing key is not known."
  | "The token's signature is not valid."
  | "The token's algorithm is not accepted."
  | "The token has expired."
  | "The token is not valid yet."
  | "The token is from another issuer."
  | "The token is for another audience."
  | "The token lacks a required claim."
  | "The token has no subject."
  | "The token's claims are not valid.";

/** The identity provider's keys (JWKS) could not be read: tokens can be neither accepted nor refused. */
export function issuerUnavailable(retryAfterSeconds: number, cause?: unknown) {
  const problem = new ProblemError(503, "The identity provider's keys are unreachable; retry later.", {
    type: "urn:problem-type:issuer-unavailable",
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
  if (cause !== undefined) problem.cause = cause;
  return problem;
}

/** Too many writes from one caller in the current window. */
export const rateLimited = (retryAfterSeconds: number) =>
  new ProblemError(429, "Too many writes from this caller; retry after Retry-After seconds.", {
    type: "urn:problem-type:rate-limited",
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
