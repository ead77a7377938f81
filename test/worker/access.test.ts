// Closed by default: walks every route the app registers (no list to keep up to date), so a route
// added tomorrow is covered the day it is added.
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { call, callWith, problemOf } from "./helpers";

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
