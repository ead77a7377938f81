import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ProblemError } from "../errors/problem";
import { log } from "../log/logger";

/**
 * `Authorization: Bearer <API_TOKEN>`. "write" routes always need it; "read" routes only when
 * READS_REQUIRE_AUTH is "true". Without an API_TOKEN binding every protected request fails (closed).
 */
export const requireToken = (access: "read" | "write") =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (access === "read" && c.env.READS_REQUIRE_AUTH !== "true") return next();
    const expected = c.env.API_TOKEN;
    if (!expected) log(c, "error", "API_TOKEN is not set: refusing every protected request");
    const presented = /^Bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1]?.trim();
    if (!expected || !presented || !(await sameSecret(presented, expected))) {
      throw new ProblemError(401, "A valid bearer token is required.", {
        headers: { "WWW-Authenticate": 'Bearer realm="api"' },
      });
    }
    await next();
  });

/**
 * Constant-time comparison: hashing first makes both sides the same length, so neither the
 * content nor the length of the token leaks through timing.
 */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
