// How the baselines are mounted: each twin is an OpenAPIHono route with the request schemas of the
// app route it stands for, read from the app's own OpenAPI registry, and the app's validation hook
// (src/errors/validation.ts). So a twin parses and validates its path, query, headers and body
// exactly as its app route does before it touches the database, and the difference between the
// two is the data access alone. Nothing here names a model: an app without the demo type-checks.
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, Hono } from "hono";
import type { AppEnv } from "../../../src/env";
import { validationHook } from "../../../src/errors/validation";

/** The app, typed as `.route()` leaves it: a Hono, at run time the OpenAPIHono src/api.ts made. */
export type App = Hono<AppEnv>;

export interface TwinRoute<Db> {
  method: "get" | "post" | "patch" | "delete";
  /** The twin's path under its prefix, OpenAPI style (`/users/{id}`). */
  path: string;
  /** The app route it stands for, when its path differs (POST /posts/keyed is POST /posts with a key). */
  appPath?: string;
  run(c: Context<AppEnv>, db: Db): Promise<Response>;
}

/** The `{id}` path parameter, which the app route's schema has validated. */
export const idParam = (c: Context<AppEnv>): string => c.req.param("id") as string;

/** Mounts `routes` under `prefix` on `app`, each run with the database `withDb` gives it. */
export function mountTwins<Db>(
  app: App,
  prefix: string,
  routes: TwinRoute<Db>[],
  withDb: (c: Context<AppEnv>, use: (db: Db) => Promise<Response>) => Promise<Response>,
): void {
  const twins = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  for (const route of routes) {
    const config = createRoute({
      method: route.method,
      path: route.path,
      request: requestOf(app, route.method, route.appPath ?? route.path),
      responses: { 200: { description: "what the app route answers" } },
    });
    // biome-ignore lint/suspicious/noExplicitAny: a twin answers what its app route answers, typed by neither
    twins.openapi(config, ((c: Context<AppEnv>) => withDb(c, (db) => route.run(c, db))) as any);
  }
  app.route(prefix, twins);
}

/** The request schemas the app's route `method path` validates; none when the app has no such route. */
function requestOf(app: App, method: string, path: string): RouteConfig["request"] {
  const { openAPIRegistry } = app as unknown as Partial<OpenAPIHono<AppEnv>>;
  if (!openAPIRegistry)
    throw new Error(
      "the bench's twins read the app's routes from its OpenAPI registry: src/app.ts must export an OpenAPIHono",
    );
  for (const definition of openAPIRegistry.definitions) {
    if (definition.type === "route" && definition.route.method === method && definition.route.path === path) {
      return definition.route.request;
    }
  }
  return undefined;
}
