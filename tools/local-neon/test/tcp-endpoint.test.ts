// The TCP endpoint (a local Hyperdrive binding's origin): plain node-postgres through the proxy,
// Neon's login, counters and faults, and the Hyperdrive latency model (setup flights free).
// Timing assertions are bounds with wide margins, in the direction a stall cannot break.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { BACKENDS, eventually, firstFailure, useBackend } from "./backends.js";

describe.each(BACKENDS)("the local Neon's TCP endpoint over $kind", ({ kind, skip }) => {
  const b = useBackend(kind, skip);
  const test = skip ? it.skip : it;

  test("carries pg's queries and counts them as tcp flights", async () => {
    const client = b.newTcpClient();
    await client.connect();
    const { rows } = await client.query<{ n: number; s: string }>("SELECT $1::int + 1 AS n, current_user AS s", [41]);
    expect(rows[0]!.n).toBe(42);
    const afterConnect = b.proxy.counters();
    expect(afterConnect).toMatchObject({ tcpOpened: 1, tcpOpen: 1, wsOpened: 0, httpRequests: 0, upstreamOpen: 1 });
    await client.query("SELECT 1");
    // One more query = one more flight (startup and password were two, the first query a third).
    expect(b.proxy.counters().tcpRoundTrips).toBe(afterConnect.tcpRoundTrips + 1);
    expect(afterConnect.tcpRoundTrips).toBe(3);
    await client.end();
    await eventually(() => b.proxy.counters().tcpOpen === 0 && b.proxy.counters().upstreamOpen === 0);
    expect(b.proxy.counters().tcpClosed).toBe(1);
  });

  // Hyperdrive keeps warm sessions to the origin; the local endpoint does too (origin-pool.ts).
  // PGlite has one session for everyone, so there nothing is pooled.
  const pooled = kind === "postgres" ? test : it.skip;
  const session = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = b.newTcpClient();
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const backendPid = async (c: pg.Client) =>
    (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;

  pooled("reuses an idle origin session for the next client, reset: nothing of the last client is left", async () => {
    const first = await session(async (c) => {
      await c.query("SET work_mem = '7MB'");
      await c.query("CREATE TEMP TABLE left_behind (a int)");
      await c.query("SELECT pg_advisory_lock(4242)");
      await c.query("PREPARE left_stmt AS SELECT 1");
      return backendPid(c);
    });
    await eventually(() => b.proxy.counters().tcpSessionsIdle === 1 && b.proxy.counters().upstreamOpen === 0);
    // From here, not from the test's start: the first client may itself reuse an earlier test's session.
    const opened = b.proxy.counters().tcpUpstreamOpened;
    const second = await session(async (c) => {
      const { rows } = await c.query(
        `SELECT current_setting('work_mem') AS work_mem, to_regclass('pg_temp.left_behind') AS temp_table,
           (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks,
           (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`,
      );
      return { pid: await backendPid(c), ...rows[0] };
    });
    expect(second).toEqual({ pid: first, work_mem: "4MB", temp_table: null, locks: 0, prepared: 0 });
    expect(b.proxy.counters().tcpUpstreamOpened - opened).toBe(0); // the second opened none of its own
  });

  pooled("never hands on a session its client left inside a transaction (Postgres rolls it back)", async () => {
    await session((c) => c.query("CREATE TABLE IF NOT EXISTS pool_probe (a int)"));
    const client = b.newTcpClient();
    await client.connect();
    const pid = await backendPid(client);
    await client.query("BEGIN");
    await client.query("INSERT INTO pool_probe VALUES (1)");
    await client.end(); // Terminate inside the transaction
    await eventually(
      async () => (await b.direct.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid])).rowCount === 0,
    );
    expect((await b.direct.query("SELECT count(*)::int AS n FROM pool_probe")).rows[0].n).toBe(0);
    expect(await session(backendPid)).not.toBe(pid);
  });

  test("checks the password as Neon does", async () => {
    const wrong = new pg.Client({
      host: b.proxy.tcp.host,
      port: b.proxy.tcp.port,
      user: new URL(b.db.url).username,
      password: "not-the-password",
      database: new URL(b.db.url).pathname.slice(1),
    });
    wrong.on("error", () => {});
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  test("latency: connection setup is free, each query flight pays it (Hyperdrive's model)", async () => {
    b.proxy.setFaults({ latencyMs: 500 });
    const client = b.newTcpClient();
    const start = performance.now();
    await client.connect();
    const connectMs = performance.now() - start;
    const queryStart = performance.now();
    await client.query("SELECT 1");
    await client.query("SELECT 2");
    const queriesMs = performance.now() - queryStart;
    await client.end();
    expect(queriesMs).toBeGreaterThanOrEqual(2 * 480);
    // Paying for even one of the two setup flights would take 500 ms.
    expect(connectMs).toBeLessThan(500);
  });

  test("refused connections and cuts, as on the WebSocket path", async () => {
    b.proxy.setFaults({ refuseConnections: true });
    const refused = b.newTcpClient();
    await expect(refused.connect()).rejects.toThrow(/Couldn't connect to compute node/);
    b.proxy.setFaults({ refuseConnections: false, cutAfterMessages: 4 });
    const cut = b.newTcpClient();
    await cut.connect();
    expect(await firstFailure(cut)).toBeDefined();
    expect(b.proxy.counters()).toMatchObject({ refused: 1, cut: 1 });
    await eventually(() => b.proxy.counters().tcpOpen === 0);
  });

  test("wake-up delay after a suspend", async () => {
    b.proxy.setFaults({ wakeupDelayMs: 300 });
    b.proxy.suspendCompute();
    const client = b.newTcpClient();
    const start = performance.now();
    await client.connect();
    expect(performance.now() - start).toBeGreaterThanOrEqual(280);
    expect(b.proxy.counters().wakeups).toBe(1);
    await client.end();
  });
});
