import { OpenAPIHono } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./env";
import { methodNotAllowedProblem, notFound, onError } from "./errors/handler";
import { validationHook } from "./errors/validation";
import { closedByDefault, passThrough } from "./middleware/auth";
import { limitBody } from "./middleware/body-limit";
import { corsFromAllowList } from "./middleware/cors";
import { localHostsOnly } from "./middleware/host-check";
import { limitWrites } from "./middleware/rate-limit";
import { requestLog } from "./middleware/request-log";
import { checkSettings } from "./middleware/settings";
import { docs } from "./routes/docs";
import { health } from "./routes/health";
import { settingsOf } from "./settings";

/**
 * The API without its resources: every request's middleware (request id, log, settings, the local
 * Host check, 405, CORS, secure headers, body limit, closed-by-default auth, write rate limit),
 * /health, /docs, /openapi.json and the problem+json error handlers. src/app.ts mounts the
 * resource routes on it; the machinery's tests mount their own (test/worker/fixture), so they do
 * not depend on the demo.
 */
export function createApi(opts: { tags?: Array<{ name: string; description: string }> } = {}) {
  const root = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  root.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "A JWT from your identity provider (its keys at JWKS_URL), or the API_TOKEN service token. " +
      "Every route needs one unless its operation says `security: []`. Writes are rate-limited per user (429).",
  });

  const api = root
    .use(requestId())
    .use(requestLog())
    .use(checkSettings())
    .use(localHostsOnly())
    .use(methodNotAllowed({ app: root, onMethodNotAllowed: methodNotAllowedProblem }))
    .use(corsFromAllowList())
    .use(secureHeaders())
    .use(limitBody())
    .use(
      // Closed by default (src/middleware/auth.ts): routes declared `...publicRoute` are open, and
      // the API's own documentation unless PUBLIC_DOCS="false". Everything else needs the token.
      closedByDefault(root, {
        routes: ["GET /openapi.json", "GET /docs", "GET /docs/init.js"],
        when: (c) => settingsOf(c.env).publicDocs,
      }),
    )
    // Writes per identity, once auth has said who is calling (src/middleware/rate-limit.ts).
    .use(passThrough(limitWrites()))
    .route("/health", health)
    .route("/docs", docs);

  // Generated from the routes' zod schemas on each request (cheap; no I/O), so it also lists the
  // routes mounted on the returned app. After the middleware, which wraps it like any route.
  root.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: { title: "Workers + Hono + Prisma + Neon starter", version: "0.1.0" },
    servers: [{ url: new URL(c.req.url).origin }],
    // Every tag an operation names, defined once (generated clients group methods by them).
    tags: [{ name: "health", description: "Whether the API and its database answer." }, ...(opts.tags ?? [])],
    // The default for every operation; public ones override it with `security: []`.
    security: [{ bearer: [] }],
  }));

  root.onError(onError);
  root.notFound(notFound);
  return api;
}
