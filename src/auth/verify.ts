import { errors, type JWTPayload, jwtVerify } from "jose";
import type { UserPrincipal } from "../env";
import { ProblemError } from "../errors/problem";
import type { JwtSettings } from "../settings";
import { jwksKeys } from "./jwks";
import { invalidToken, type TokenRefusal } from "./problems";

/** Asymmetric only: a JWKS holds public keys, and HS256 "signed" with one would be forgeable. */
const ALGORITHMS = ["RS256", "ES256", "EdDSA"];

/**
 * The user a JWT names, once its signature (a key from JWKS_URL, by kid), algorithm, issuer,
 * audience, exp and nbf (with the clock skew allowed) and sub check out. Throws the 401 (or the
 * JWKS's 503) ProblemError otherwise.
 */
export async function verifyJwt(token: string, jwt: JwtSettings): Promise<UserPrincipal> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwksKeys(jwt.jwksUrl, jwt.refetchCooldownSeconds), {
      algorithms: ALGORITHMS,
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: jwt.clockSkewSeconds,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    throw invalidToken(refusal(error));
  }
  if (typeof payload.sub !== "string" || payload.sub === "") throw invalidToken("The token has no subject.");
  return {
    kind: "user",
    issuer: jwt.issuer,
    subject: payload.sub,
    admin: hasAdminRole(payload[jwt.roleClaim]),
    ...(typeof payload.email === "string" ? { email: payload.email } : {}),
    ...(typeof payload.name === "string" ? { name: payload.name } : {}),
  };
}

/** The role claim says admin: "admin", or an array holding it (Auth0's namespaced roles). */
const hasAdminRole = (role: unknown) => role === "admin" || (Array.isArray(role) && role.includes("admin"));

/** A fixed description of why jose refused the token (its own messages may quote claim values). */
function refusal(error: unknown): TokenRefusal {
  if (error instanceof errors.JWTExpired) return "The token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return "The token lacks a required claim.";
    if (error.claim === "nbf") return "The token is not valid yet.";
    if (error.claim === "iss") return "The token is from another issuer.";
    if (error.claim === "aud") return "The token is for another audience.";
    return "The token's claims are not valid.";
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "The token's signing key is not known.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature is not valid.";
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's algorithm is not accepted.";
  return "The token is not valid.";
}
