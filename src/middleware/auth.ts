import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { RouterRoute } from "hono/types";
import { COMPOSED_HANDLER } from "hono/utils/constants";
import { authenticate } from "../auth/authenticate";
import type { AppEnv } from "../env";

/** A route's OpenAPI `security` that declares it public: spread into createRoute({...}). */
export const publicRoute = { security: [] as Array<Record<string, string[]>> };

/**
 * Closed by default: every route needs a bearer credential (src/auth/authenticate.ts), except
 * - the OpenAPI routes declared public (`...publicRoute`, i.e. `security: []`, which
 *   /openapi.json shows), read from the app's own registry, and
 * - the plain (non-OpenAPI) routes listed in `alsoPublic` ("GET /docs"), when `when(c)` agrees.
 * A new route, with or without OpenAPI, is protected without anyone remembering to protect it:
 * `.all()` routes and mounted apps too (their method is "ALL": "ALL /trpc/*" in `alsoPublic` opens one).
 * The decision is the answering route's (answeringRoute). Middleware added with `.use()` after this
 * one counts as a handler unless wrapped in passThrough(): Hono records it just like `.all()`.
 *
 * The credential is a user's JWT (JWKS_URL) or the API_TOKEN service credential. The service
 * credential may do everything: it is the admin-equivalent machine credential (deploy checks,
 * benchmarks, scripts), so keep it out of browsers. Sets c.var.principal, and c.var.caller
 * (a hash, never the token) for what is scoped per caller (idempotency keys, rate limits).
 */
export const closedByDefault = (
  // biome-ignore lint/suspicious/noExplicitAny: any app's registry; only its route definitions are read.
  app: OpenAPIHono<any>,
  alsoPublic: { routes: string[]; when: (c: { env: AppEnv["Bindings"] }) => boolean },
) => {
  let declaredPublic: Set<string> | undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    declaredPublic ??= publicRoutesOf(app);
    // None: nothing will answer, so the request goes on to its 404/405.
    const route = answeringRoute(c);
    const name = route && `${route.method} ${route.path}`;
    if (!name || declaredPublic.has(name) || (alsoPublic.routes.includes(name) && alsoPublic.when(c))) return next();

    const { principal, caller } = await authenticate(c);
    c.set("principal", principal);
    c.set("caller", caller);
    await next();
  });
};

const passingThrough = new WeakSet<MiddlewareHandler>();

/**
 * Marks middleware that always hands the request on (`await next()`), for `.use()` after
 * closedByDefault: the route after it then decides. Unmarked, it is taken for a handler (a mounted
 * app or an `.all()` route look the same to Hono), so every request it matches needs the token.
 */
export function passThrough<M extends MiddlewareHandler>(middleware: M): M {
  passingThrough.add(middleware);
  return middleware;
}

/**
 * The route whose handler Hono runs first after this middleware: the one that answers. Matched
 * routes come in registration order, and those before this middleware have already handed the
 * request on. A route's own middleware (createRoute's `middleware`, validators) shares its method
 * and path, so its name is the route's; only passThrough() middleware is skipped.
 */
function answeringRoute(c: Context): RouterRoute | undefined {
  return matchedRoutes(c)
    .slice(c.req.routeIndex + 1)
    .find((route) => !passingThrough.has(unwrapped(route.handler)));
}

/** app.route() wraps a sub-app's handlers when that sub-app has its own onError; this is the original. */
const unwrapped = (handler: RouterRoute["handler"]): MiddlewareHandler =>
  (handler as unknown as Record<typeof COMPOSED_HANDLER, MiddlewareHandler | undefined>)[COMPOSED_HANDLER] ??
  (handler as MiddlewareHandler);

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
