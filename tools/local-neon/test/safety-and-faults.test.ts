// Never an open relay; counters count; each injected fault does what it says.
// Timing assertions are lower bounds only.

import { Client, neon } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { BACKENDS, eventually, firstFailure, useBackend } from "./backends.js";

const JSON_TYPE = { "Content-Type": "application/json" };

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

describe.each(BACKENDS)("local neon safety, counters and faults over $kind", ({ kind, skip }) => {
  const b = useBackend(kind, skip);
  const test = skip ? it.skip : it;

  test("HTTP refuses a connection string naming another host", async () => {
    const response = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": "postgres://u:p@10.1.2.3:5432/db" },
      body: JSON.stringify({ query: "SELECT 1", params: [] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/not allowed/);
    const port = new URL(b.db.url).port;
    const otherPort = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": `postgres://u:p@127.0.0.1:${Number(port) + 1}/db` },
      body: JSON.stringify({ query: "SELECT 1", params: [] }),
    });
    expect(otherPort.status).toBe(400);
  });

  test("WebSocket refuses an address naming another host, with a reason", async () => {
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${b.proxy.port}/v2?address=example.com:5432`);
      socket.on("error", () => {});
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/not allowed/);
    expect(b.proxy.counters().refused).toBeGreaterThanOrEqual(1);
  });

  test("the driver surfaces a refused host as a Postgres error (SQLSTATE 08001), over HTTP and WebSocket", async () => {
    const foreign = "postgres://u:p@10.1.2.3:5432/db";
    const http = await neon(foreign)`SELECT 1`.catch((e: unknown) => e);
    expect(http).toMatchObject({ code: "08001", message: expect.stringMatching(/10\.1\.2\.3:5432 is not allowed/) });
    const client = new Client({ connectionString: foreign });
    client.on("error", () => {});
    const ws = await client.connect().catch((e: unknown) => e);
    expect(ws).toMatchObject({ code: "08001", message: expect.stringMatching(/is not allowed/) });
    const wrongPort = new URL(b.db.url);
    wrongPort.port = String(Number(wrongPort.port) + 1);
    expect(await neon(wrongPort.href)`SELECT 1`.catch((e: unknown) => e)).toMatchObject({ code: "08001" });
  });

  test("a connection string without a port reaches the endpoint on that host (the driver's fetch path drops it)", async () => {
    const portless = new URL(b.db.url);
    expect(portless.port).not.toBe("5432");
    portless.port = "";
    const rows = await neon(portless.href)`SELECT 1 AS one`;
    expect(rows).toEqual([{ one: 1 }]);
  });

  test("malformed payloads, bad headers, unknown paths and preflight", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${b.proxy.httpUrl}/sql`, {
        method: "POST",
        headers: { "Neon-Connection-String": b.db.url, ...headers },
        body,
      });
    const notJson = await post("{nope");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/malformed JSON/);
    const wrongShape = await post(JSON.stringify({ sql: "SELECT 1" }));
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { message: string }).message).toMatch(/invalid request payload/);
    const badIsolation = await post(JSON.stringify({ queries: [] }), { "Neon-Batch-Isolation-Level": "Chaos" });
    expect(badIsolation.status).toBe(400);
    const noConn = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      body: JSON.stringify({ query: "SELECT 1" }),
    });
    expect(noConn.status).toBe(400);
    const unknown = await fetch(`${b.proxy.httpUrl}/nope`);
    expect(unknown.status).toBe(404);
    // A browser's preflight carries its page's Origin: refused, and nothing says a page may read.
    const preflight = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("counters count WebSocket connections, HTTP requests and round trips", async () => {
    await b.sql`SELECT 1`;
    await b.sql.transaction([b.sql`SELECT 1`, b.sql`SELECT 2`]);
    const client = b.newClient();
    await client.connect();
    await client.query("SELECT 1");
    await client.query("SELECT 2");
    await client.end();
    await eventually(() => b.proxy.counters().wsClosed === 1);
    const c = b.proxy.counters();
    expect(c).toMatchObject({ httpRequests: 2, httpRoundTrips: 2, wsOpened: 1, wsClosed: 1, wsOpen: 0 });
    // connect (pipelined: 1) + 2 queries; the Terminate has no reply.
    expect(c.wsRoundTrips).toBeGreaterThanOrEqual(2);
    expect(c.wsRoundTrips).toBeLessThanOrEqual(4);
    expect(c.roundTrips).toBe(c.wsRoundTrips + c.httpRoundTrips);
    // Also readable and resettable over the JSON endpoint.
    const stats = (await (await fetch(`${b.proxy.httpUrl}/_local-neon/stats`)).json()) as Record<string, number>;
    expect(stats.httpRequests).toBe(2);
    await fetch(`${b.proxy.httpUrl}/_local-neon/stats/reset`, { method: "POST", headers: JSON_TYPE });
    expect(b.proxy.counters().httpRequests).toBe(0);
  });

  test("latency is added per round trip (HTTP and WebSocket)", async () => {
    const client = b.newClient();
    await client.connect();
    await client.query("SELECT 1");
    b.proxy.setFaults({ latencyMs: 120 });
    const http = await timed(() => b.sql`SELECT 1`);
    expect(http.ms).toBeGreaterThanOrEqual(110);
    const ws = await timed(async () => {
      await client.query("SELECT 1");
      await client.query("SELECT 2");
    });
    expect(ws.ms).toBeGreaterThanOrEqual(2 * 110);
    await client.end();
  });

  test("faults can be set over the JSON endpoint", async () => {
    const set = await fetch(`${b.proxy.httpUrl}/_local-neon/faults`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ latencyMs: 80 }),
    });
    expect(((await set.json()) as { latencyMs: number }).latencyMs).toBe(80);
    const http = await timed(() => b.sql`SELECT 1`);
    expect(http.ms).toBeGreaterThanOrEqual(70);
    const bad = await fetch(`${b.proxy.httpUrl}/_local-neon/faults`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ latencyMs: "x" }),
    });
    expect(bad.status).toBe(400);
    await fetch(`${b.proxy.httpUrl}/_local-neon/faults`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ reset: true }),
    });
    expect(
      ((await (await fetch(`${b.proxy.httpUrl}/_local-neon/faults`)).json()) as { latencyMs: number }).latencyMs,
    ).toBe(0);
  });

  test("wake-up delay applies to the first connection after a suspend only", async () => {
    // Suspended explicitly, not by waiting out idleAfterMs: a stalled event loop cannot add a wake-up.
    b.proxy.setFaults({ wakeupDelayMs: 400, idleAfterMs: 300_000 });
    b.proxy.suspendCompute();
    const cold = await timed(() => b.sql`SELECT 1`);
    expect(cold.ms).toBeGreaterThanOrEqual(380);
    await b.sql`SELECT 1`; // warm: no second wake-up
    expect(b.proxy.counters().wakeups).toBe(1);
    b.proxy.suspendCompute();
    const client = b.newClient();
    const coldWs = await timed(async () => {
      await client.connect();
      await client.query("SELECT 1");
    });
    expect(coldWs.ms).toBeGreaterThanOrEqual(380);
    expect(b.proxy.counters().wakeups).toBe(2);
    await client.end();
  });

  test("refused connections: HTTP 500 and a closed WebSocket, as when compute is unreachable", async () => {
    b.proxy.setFaults({ refuseConnections: true });
    await expect(b.sql`SELECT 1`).rejects.toThrow(/HTTP status 500.*Couldn't connect to compute node/);
    const client = b.newClient();
    const outcome = await client
      .connect()
      .then(() => client.query("SELECT 1"))
      .catch((e: unknown) => e);
    expect(String(outcome)).toMatch(/Couldn't connect to compute node|Connection terminated/);
    expect(b.proxy.counters().refused).toBe(2);
  });

  test("cut after N messages drops the WebSocket connection", async () => {
    b.proxy.setFaults({ cutAfterMessages: 3 });
    const client = b.newClient();
    await client.connect();
    expect(await firstFailure(client)).toBeDefined();
    expect(b.proxy.counters().cut).toBe(1);
    await eventually(() => b.proxy.counters().wsOpen === 0);
  });

  test("Terminate ends the upstream connection (also on PGlite, which never closes itself)", async () => {
    const probes = async () =>
      (
        await b.direct.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'terminate-probe'",
        )
      ).rows[0].n;
    const client = b.newClient();
    await client.connect();
    await client.query("SET application_name = 'terminate-probe'");
    expect(b.proxy.counters().upstreamOpen).toBe(1);
    if (kind === "postgres") expect(await probes()).toBe(1);
    await client.end();
    await eventually(() => b.proxy.counters().wsClosed === 1 && b.proxy.counters().wsOpen === 0);
    await eventually(() => b.proxy.counters().upstreamOpen === 0);
    // PGlite has one shared backend session and no pg_stat_activity row per client.
    if (kind === "postgres") await eventually(async () => (await probes()) === 0);
  });
});
