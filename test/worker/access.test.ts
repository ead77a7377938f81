// Closed by default: walks every route the app registers (no list to keep up to date), so a route
// added tomorrow is covered the day it is added.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { type Context, Hono, type Next } from "hono";
import { mount } from "hono/mount";
import { describe, expect, it } from "vitest";
import { createApi } from "../../src/api";
import { app } from "../../src/app";
import type { AppEnv } from "../../src/env";
import { passThrough, publicRoute } from "../../src/middleware/auth";
import { call, callApp, callWith, problemOf } from "./helpers";
import { bearer, signToken, userToken } from "./tokens";

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
}
type OpenApi = { security?: unknown[]; paths: Record<string, Record<string, Operation>> };

const openapi = async () => (await (await call("/openapi.json", { anonymous: true })).json()) as OpenApi;

/** Every method + path the app answers (route middleware and global middleware left out). */
function registeredRoutes(): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const { method, path } of app.routes) {
    if (method === "ALL" || path.includes("*")) continue;
    seen.set(`${method} ${path}`, { method, path });
  }
  return [...seen.values()];
}

const openapiPath = (path: string) => path.replaceAll(/:(\w+)/g, "{$1}");
/** Public by declaration: `security: []` on its operation, or the documentation itself. */
const DOCUMENTATION = new Set(["GET /openapi.json", "GET /docs", "GET /docs/init.js"]);

describe("closed by default", () => {
  it("every registered route is public by declaration or refuses a request without a valid token", async () => {
    const doc = await openapi();
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(DOCUMENTATION.size); // /health at least: the walk is not empty
    const publicRoutes: string[] = [];
    for (const { method, path } of routes) {
      const name = `${method} ${path}`;
      const operation = doc.paths[openapiPath(path)]?.[method.toLowerCase()];
      const declaredPublic = operation?.security?.length === 0 || DOCUMENTATION.has(name);
      const url = path.replaceAll(/:\w+/g, crypto.randomUUID());
      for (const headers of [{}, { Authorization: "Bearer not-the-token" }] as Record<string, string>[]) {
        const res = await call(url, { method, headers, anonymous: true, json: method === "GET" ? undefined : {} });
        if (declaredPublic) expect(res.status, name).not.toBe(401);
        else {
          expect(res.status, name).toBe(401);
          await problemOf(res);
        }
        if (!res.bodyUsed) await res.body?.cancel();
      }
      if (declaredPublic) publicRoutes.push(name);
    }
    // The demo's public surface: health and the API's own documentation, nothing with data in it.
    expect(publicRoutes.sort()).toEqual(["GET /docs", "GET /docs/init.js", "GET /health", "GET /openapi.json"]);
  });

  it("every protected route takes a user's JWT, and refuses an expired or foreign-audience one", async () => {
    const doc = await openapi();
    const sub = `walker-${crypto.randomUUID()}`;
    const valid = bearer(await userToken(sub));
    const expired = bearer(await signToken({ sub }, { expiresIn: -3600 }));
    const foreign = bearer(await signToken({ sub }, { audience: "https://another-api.example" }));
    for (const { method, path } of registeredRoutes()) {
      const name = `${method} ${path}`;
      const operation = doc.paths[openapiPath(path)]?.[method.toLowerCase()];
      if (operation?.security?.length === 0 || DOCUMENTATION.has(name)) continue;
      const url = path.replaceAll(/:\w+/g, crypto.randomUUID());
      const send = (headers: Record<string, string>) =>
        call(url, { method, headers, anonymous: true, json: method === "GET" ? undefined : {} });
      const ok = await send(valid);
      // Authenticated: what follows is the route's own answer (a 404 for a random id, a 400 for {}).
      expect(ok.status, name).not.toBe(401);
      await ok.body?.cancel();
      for (const headers of [expired, foreign]) {
        const res = await send(headers);
        expect(res.status, name).toBe(401);
        expect(res.headers.get("WWW-Authenticate"), name).toMatch(/error="invalid_token"/);
        await problemOf(res);
      }
    }
  });

  it("/openapi.json shows it: bearer by default, `security: []` on the public operations", async () => {
    const doc = await openapi();
    expect(doc.security).toEqual([{ bearer: [] }]);
    const open = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(open).toEqual(["GET /health"]);
  });

  it("every registered route is in /openapi.json, and nothing else is (the docs test renders that list)", async () => {
    const doc = await openapi();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = registeredRoutes()
      .map(({ method, path }) => `${method} ${openapiPath(path)}`)
      .filter((name) => !DOCUMENTATION.has(name));
    expect(documented.sort()).toEqual(registered.sort());
  });

  it("every POST declares Idempotency-Key", async () => {
    const doc = await openapi();
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) => (ops.post ? [[path, ops.post] as const] : []));
    // As many as the app registers (none once the demo is removed), each with the header.
    expect(posts.length).toBe(registeredRoutes().filter((r) => r.method === "POST").length);
    for (const [path, op] of posts) {
      expect(
        op.parameters?.some((p) => p.in === "header" && p.name === "idempotency-key"),
        path,
      ).toBe(true);
    }
  });

  it("the public /health says up or down and the transport, nothing else", async () => {
    const res = await call("/health", { anonymous: true });
    expect(Object.keys(await res.json()).sort()).toEqual(["database", "status", "transport"]);
  });

  it('PUBLIC_DOCS="false" puts the documentation behind the token too', async () => {
    expect((await callWith({ PUBLIC_DOCS: "false" }, "/openapi.json", { anonymous: true })).status).toBe(401);
    expect((await callWith({ PUBLIC_DOCS: "false" }, "/docs", { anonymous: true })).status).toBe(401);
    expect((await callWith({ PUBLIC_DOCS: "false" }, "/openapi.json")).status).toBe(200);
  });
});

// The answering route decides, on the src/api.ts frame with routes of the tests' own: Hono runs
// matched handlers in registration order and answers from the first that responds.
describe("closed by default decides on the route that answers", () => {
  const openRoute = createRoute({
    method: "get",
    path: "/fixture/open",
    ...publicRoute,
    responses: { 200: { description: "Public" } },
  });
  const open = new OpenAPIHono<AppEnv>().openapi(openRoute, (c) => c.text("open", 200));
  // Also matches /fixture/open, and is protected: it declares nothing.
  const guarded = new Hono<AppEnv>().get("/fixture/:name", (c) => c.text("guarded"));
  const inner = new Hono().get("/secret", (c) => c.text("mounted secret"));

  const anonymous = (app: Parameters<typeof callApp>[0], path: string, method = "GET") =>
    callApp(app, {}, path, { method, anonymous: true });

  it("an .all() route and a mounted app need the token", async () => {
    const apps = {
      "all()": createApi().all("/fixture/all", (c) => c.text("secret")),
      "mount()": createApi().mount("/fixture/mounted", inner.fetch),
      "hono/mount": createApi().all("/fixture/mounted/*", mount(inner.fetch)),
    };
    for (const [name, app] of Object.entries(apps)) {
      const path = name === "all()" ? "/fixture/all" : "/fixture/mounted/secret";
      for (const method of ["GET", "POST"]) {
        const refused = await anonymous(app, path, method);
        expect(refused.status, `${name} ${method}`).toBe(401);
        await problemOf(refused);
      }
      expect((await callApp(app, {}, path)).status, name).toBe(200);
    }
  });

  it("a public GET declared before a protected handler on the same path answers without the token", async () => {
    const app = createApi().route("/", open).route("/", guarded);
    const res = await anonymous(app, "/fixture/open");
    expect([res.status, await res.text()]).toEqual([200, "open"]);
    expect((await anonymous(app, "/fixture/other")).status).toBe(401);
  });

  it("a protected handler declared before a public GET on the same path needs the token", async () => {
    const app = createApi().route("/", guarded).route("/", open);
    expect((await anonymous(app, "/fixture/open")).status).toBe(401);
    const res = await callApp(app, {}, "/fixture/open");
    expect([res.status, await res.text()]).toEqual([200, "guarded"]);
  });

  it("middleware after it is passed over when marked passThrough(), and taken for a handler when not", async () => {
    const seen: string[] = [];
    const note = () => (c: Context, next: Next) => {
      seen.push(c.req.path);
      return next();
    };
    // Also when app.route() wraps it (a sub-app with its own onError).
    const wrapped = new Hono<AppEnv>().use("*", passThrough(note())).onError((_, c) => c.text("sub-app error", 500));
    const marked = createApi().use("/fixture/*", passThrough(note())).route("/", wrapped).route("/", open);
    expect((await anonymous(marked, "/fixture/open")).status).toBe(200);
    expect(seen).toEqual(["/fixture/open", "/fixture/open"]);

    const unmarked = createApi().use("/fixture/*", note()).route("/", open);
    expect((await anonymous(unmarked, "/fixture/open")).status).toBe(401);
  });

  it("a request that nothing answers still goes on to its 404 or 405", async () => {
    const app = createApi().route("/", open);
    expect((await anonymous(app, "/fixture/nothing")).status).toBe(404);
    expect((await anonymous(app, "/fixture/open", "DELETE")).status).toBe(405);
  });
});
