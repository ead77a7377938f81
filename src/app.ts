import { OpenAPIHono } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./env";
import { methodNotAllowedProblem, notFound, onError } from "./errors/handler";
import { validationHook } from "./errors/validation";
import { closedByDefault } from "./middleware/auth";
import { limitBody } from "./middleware/body-limit";
import { corsFromAllowList } from "./middleware/cors";
import { requestLog } from "./middleware/request-log";
import { checkSettings } from "./middleware/settings";
import { docs } from "./routes/docs";
import { health } from "./routes/health";
import { posts } from "./routes/posts";
import { users } from "./routes/users";
import { settingsOf } from "./settings";

const root = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

root.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
  description: "The API_TOKEN secret. Every route needs it unless its operation says `security: []`.",
});

/** The API. Routes are chained so their types flow to `hc<AppType>`. */
export const app = root
  .use(requestId())
  .use(requestLog())
  .use(checkSettings())
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
  .route("/health", health)
  .route("/users", users)
  .route("/posts", posts)
  .route("/docs", docs);

// Generated from the routes' zod schemas on each request (cheap; no I/O).
root.doc31("/openapi.json", (c) => ({
  openapi: "3.1.0",
  info: { title: "Workers + Hono + Prisma + Neon starter", version: "0.1.0" },
  servers: [{ url: new URL(c.req.url).origin }],
  // The default for every operation; public ones override it with `security: []`.
  security: [{ bearer: [] }],
}));

app.onError(onError);
app.notFound(notFound);

export type AppType = typeof app;
