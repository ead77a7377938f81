import type { Context } from "hono";
import { invalidToken } from "./problems";

/** Larger tokens are refused unread: no provider's token is near it, and decoding one is work. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/**
 * The token of `Authorization: Bearer <token>`, or undefined when the request carries none (no
 * header, another scheme, an empty value): that is a missing credential, not a bad one. Without an
 * Authorization header, Cloudflare Access's `Cf-Access-Jwt-Assertion` (verified like any JWT).
 */
export function bearerToken(c: Context): string | undefined {
  const authorization = c.req.header("Authorization");
  const token =
    authorization === undefined
      ? c.req.header("Cf-Access-Jwt-Assertion")?.trim()
      : /^Bearer[ \t]+(.*)$/is.exec(authorization)?.[1]?.trim();
  if (!token) return undefined;
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken("The token is too large.");
  return token;
}
