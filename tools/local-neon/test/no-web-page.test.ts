// No web page can reach the local Neon (its password is public): a foreign Origin or a
// non-loopback Host (DNS rebinding) is refused on /sql, the WebSocket upgrade and the control
// endpoint, and the control endpoint takes JSON only. Allow-lists let a chosen origin or host in.
// And the password is checked for every user, even on PGlite, which checks none itself.
import { type IncomingHttpHeaders, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type LocalNeon, startLocalNeon } from "../src/proxy/local-neon.js";
import { BACKENDS, useBackend } from "./backends.js";

// No database is needed to be refused; the allowed cases only have to get past the guard.
const UPSTREAM = "postgres://u:p@127.0.0.1:1/db";
let neon: LocalNeon;
let open: LocalNeon;
beforeAll(async () => {
  neon = await startLocalNeon({ upstream: UPSTREAM });
  open = await startLocalNeon({
    upstream: UPSTREAM,
    guard: { allowOrigins: ["http://localhost:5173"], allowHosts: ["dev.internal"] },
  });
});
afterAll(async () => {
  await neon?.stop();
  await open?.stop();
});

/** POST /sql with these headers (node:http, since fetch will not send another Host). */
function sql(
  proxy: LocalNeon,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const body = JSON.stringify({ query: "SELECT 1", params: [] });
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: proxy.port, path: "/sql", method: "POST" }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    for (const [name, value] of Object.entries({ "Neon-Connection-String": UPSTREAM, ...headers }))
      req.setHeader(name, value);
    req.end(body);
  });
}

/** The status line the WebSocket upgrade got (101 = upgraded). */
function upgrade(proxy: LocalNeon, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/v2`, { headers });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.on("error", () => {});
  });
}

describe("the request guard", () => {
  it("refuses /sql from a web page (any Origin) and under a foreign Host", async () => {
    const fromPage = await sql(neon, { Origin: "https://evil.example" });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers["access-control-allow-origin"]).toBeUndefined();
    expect((JSON.parse(fromPage.body) as { message: string }).message).toMatch(/Origin https:\/\/evil\.example/);
    const rebound = await sql(neon, { Host: `evil.example:${neon.port}` });
    expect(rebound.status).toBe(403);
    // The same request with neither gets past the guard (to the database, which is not there).
    expect((await sql(neon, {})).status).not.toBe(403);
  });

  it("refuses a WebSocket upgrade from a web page or under a foreign Host", async () => {
    expect(await upgrade(neon, { Origin: "https://evil.example" })).toBe(403);
    expect(await upgrade(neon, { Host: "evil.example" })).toBe(403);
    expect(await upgrade(neon, {})).toBe(101);
  });

  it("takes control requests as JSON only, and never from a web page", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${neon.httpUrl}/_local-neon/faults`, { method: "POST", headers, body: '{"latencyMs":5000}' });
    expect((await post({ "Content-Type": "text/plain" })).status).toBe(415);
    expect((await post({ "Content-Type": "application/json", Origin: "https://evil.example" })).status).toBe(403);
    expect(neon.counters().refused).toBeGreaterThan(0);
    expect((await post({ "Content-Type": "application/json" })).status).toBe(200);
    expect(
      ((await (await fetch(`${neon.httpUrl}/_local-neon/faults`)).json()) as { latencyMs: number }).latencyMs,
    ).toBe(5000);
  });

  it("lets the allow-listed origin and host through", async () => {
    expect((await sql(open, { Origin: "http://localhost:5173" })).status).not.toBe(403);
    expect((await sql(open, { Host: "dev.internal" })).status).not.toBe(403);
    expect((await sql(open, { Origin: "https://evil.example" })).status).toBe(403);
  });
});

describe.each(BACKENDS)("passwords over $kind, for every user", ({ kind, skip }) => {
  const b = useBackend(kind, skip);
  const test = skip ? it.skip : it;

  test("a user other than the configured one cannot get in with any password, on either protocol", async () => {
    const intruder = new URL(b.db.url);
    intruder.username = "intruder";
    intruder.password = "anything";
    const { Client, neon } = await import("@neondatabase/serverless");
    b.configure();
    await expect(neon(intruder.toString())`SELECT 1`).rejects.toThrow(/password authentication failed|role "intruder"/);
    const client = new Client({ connectionString: intruder.toString() });
    client.on("error", () => {});
    // The driver pipelines startup, password and first query: the refusal comes with the query.
    await expect(client.connect().then(() => client.query("SELECT 1"))).rejects.toThrow(
      /password authentication failed|role "intruder"/,
    );
  });
});
