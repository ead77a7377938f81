// The local dev server's Host check (src/middleware/host-check.ts): with LOCAL_ALLOWED_HOSTS bound,
// as `npm run dev` binds it, a request under a foreign Host (DNS rebinding) is a 403 problem before
// anything else runs; loopback names and the listed ones pass. Unbound (production): no check.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../../src/env";
import { fixtureApp } from "./fixture/app";
import { auth, problemOf } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** What `npm run dev` binds by default, and with `-- --allow-host my-box.lan`. */
const DEV = "localhost,127.0.0.1,[::1]";
const DEV_WITH_MY_BOX = `${DEV},my-box.lan`;

/** A request the way wrangler dev hands it over: the URL's host is the Host header the client sent. */
async function under(host: string, allowed: string | undefined, path = "/notes"): Promise<Response> {
  const ctx = createExecutionContext();
  const bindings = { ...(env as Bindings), LOCAL_ALLOWED_HOSTS: allowed };
  const res = await fixtureApp.fetch(new Request(`http://${host}${path}`, { headers: auth }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the local Host check", () => {
  it.each(["evil.example:8787", "evil.example", "127.0.0.1.evil.example:8787", "[2001:db8::1]:8787"])(
    "refuses %s with a 403 problem, even with the token",
    async (host) => {
      const res = await under(host, DEV);
      expect(res.status).toBe(403);
      const problem = await problemOf(res);
      expect(problem).toMatchObject({ title: "Forbidden", instance: "/notes" });
      expect(problem.detail).toContain("--allow-host");
    },
  );

  it("refuses public routes too (the docs, /health)", async () => {
    for (const path of ["/openapi.json", "/health"]) expect((await under("evil.example", DEV, path)).status).toBe(403);
  });

  it.each(["127.0.0.1:8787", "localhost:8787", "LOCALHOST:8787", "[::1]:8787", "localhost"])(
    "lets the loopback name %s in",
    async (host) => {
      expect((await under(host, DEV)).status).toBe(200);
    },
  );

  it("lets a name listed with --allow-host in, at any port, and no other", async () => {
    expect((await under("my-box.lan:8787", DEV_WITH_MY_BOX)).status).toBe(200);
    expect((await under("my-box.lan", DEV_WITH_MY_BOX)).status).toBe(200);
    expect((await under("other-box.lan:8787", DEV_WITH_MY_BOX)).status).toBe(403);
    expect((await under("my-box.lan:8787", DEV)).status).toBe(403);
  });

  it("checks nothing when unbound or empty, as in production", async () => {
    for (const allowed of [undefined, ""]) expect((await under("api.example.com", allowed)).status).toBe(200);
  });
});
