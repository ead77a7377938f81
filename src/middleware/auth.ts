import type { OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { ProblemError } from "../errors/problem";
import { hex, sha256 } from "../lib/hash";
import { log } from "../log/logger";

/** A route's OpenAPI `security` that declares it public: spread into createRoute({...}). */
export const publicRoute = { security: [] as Array<Record<string, string[]>> };

/**
 * Closed by default: every route needs `Authorization: Bearer <API_TOKEN>`, except
 * - the OpenAPI routes declared public (`...publicRoute`, i.e. `security: []`, which
 *   /openapi.json shows), read from the app's own registry, and
 * - the plain (non-OpenAPI) routes listed in `alsoPublic` ("GET /docs"), when `when(c)` agrees.
 * A new route, with or without OpenAPI, is protected without anyone remembering to protect it.
 * Sets c.var.caller (a hash of the token) for what is scoped per caller (idempotency keys).
 */
export const closedByDefault = (
  // biome-ignore lint/suspicious/noExplicitAny: any app's registry; only its route definitions are read.
  app: OpenAPIHono<any>,
  alsoPublic: { routes: string[]; when: (c: { env: AppEnv["Bindings"] }) => boolean },
) => {
  let declaredPublic: Set<string> | undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    declaredPublic ??= publicRoutesOf(app);
    // The route that will answer (route middleware shares its method and path); none: a 404/405.
    const route = matchedRoutes(c).findLast((r) => r.method !== "ALL");
    const name = route && `${route.method} ${route.path}`;
    if (!name || declaredPublic.has(name) || (alsoPublic.routes.includes(name) && alsoPublic.when(c))) return next();

    const expected = c.env.API_TOKEN;
    if (!expected) log(c, "error", "API_TOKEN is not set: refusing every protected request");
    const presented = /^Bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1]?.trim();
    // Hashing both sides first makes them the same length, so the constant-time comparison leaks
    // neither the content nor the length of the token.
    const digest = presented ? await sha256(presented) : undefined;
    if (!expected || !digest || !crypto.subtle.timingSafeEqual(digest, await sha256(expected))) {
      throw new ProblemError(401, "A valid bearer token is required.", {
        headers: { "WWW-Authenticate": 'Bearer realm="api"' },
      });
    }
    c.set("caller", `token:${hex(digest).slice(0, 32)}`);
    await next();
  });
};

/** "GET /health", … for every OpenAPI route whose `security` is an empty list. */
// biome-ignore lint/suspicious/noExplicitAny: see closedByDefault.
function publicRoutesOf(app: OpenAPIHono<any>): Set<string> {
  const names = new Set<string>();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const { method, path, security } = definition.route;
    // Hono's form of the path, as OpenAPIHono registers it ("/users/{id}" → "/users/:id").
    if (security?.length === 0) names.add(`${method.toUpperCase()} ${path.replaceAll(/\/{(.+?)}/g, "/:$1")}`);
  }
  return names;
}
