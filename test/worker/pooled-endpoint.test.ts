// The Worker's DATABASE_URL is Neon's pooled shape (a `-pooler` host), and locally, as on Neon, that
// endpoint is a real PgBouncer in transaction mode: server sessions are shared between clients.
// What one request leaves in its session (a SET, a temp table, a session advisory lock) must not
// be seen by the next request, whichever server session it lands on. Run with the real driver in
// workerd, the way each request opens its own client.
import { env } from "cloudflare:workers";
import { neon, Pool } from "@neondatabase/serverless";
import { beforeAll, describe, expect, it } from "vitest";
import { useLocalNeonProxy } from "../../src/db/local-neon";
import { openWebSocketsWithFetch } from "../../src/db/neon-websocket";
import type { Bindings } from "../../src/env";
import { onHyperdrive } from "./paths";
import { stack } from "./stack";

const { DATABASE_URL: pooledUrl, NEON_LOCAL_PROXY } = env as Bindings;
const LOCK_KEY = 424_242;
/**
 * The pooled endpoint on the cluster's `postgres` database: PgBouncer keeps a pool per database and
 * user, so this file's server sessions are its own, not shared with the other files running beside it.
 */
const ownPool = (() => {
  const url = new URL(pooledUrl);
  url.pathname = "/postgres";
  return url.toString();
})();

type Row = Record<string, unknown>;
/** Runs one request's statements on its own client (several: one transaction); the last one's first row. */
type Run = (url: string, statements: string[]) => Promise<Row>;

/** Over WebSocket, as PrismaNeon does: open a client, run, close. */
const overWebSocket: Run = async (url, statements) => {
  const pool = new Pool({ connectionString: url });
  try {
    const client = await pool.connect();
    try {
      const wrap = statements.length > 1;
      if (wrap) await client.query("BEGIN");
      let last: Row[] = [];
      for (const text of statements) last = (await client.query(text)).rows;
      if (wrap) await client.query("COMMIT");
      return last[0]!;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
};

/** Over HTTP, as PrismaNeonHttp does: one fetch (the local Neon's /sql reuses upstream connections). */
const overHttp: Run = async (url, statements) => {
  const sql = neon(url, { fullResults: true });
  const results = await sql.transaction(statements.map((text) => sql.query(text)));
  return results.at(-1)!.rows[0] as Row;
};

/**
 * What a request leaves in its session: one transaction, so every statement runs on the same
 * server session whose pid it reports. A plain SET outlives the COMMIT; so do the others.
 */
const LEAVE_STATE = [
  "SET statement_timeout = '4321ms'",
  "CREATE TEMP TABLE leak_probe (x int)",
  `SELECT pg_advisory_lock(${LOCK_KEY})`,
  "SELECT pg_backend_pid() AS pid",
];

/** What the next request sees. */
const READ_STATE = [
  `SELECT pg_backend_pid() AS pid,
          current_setting('statement_timeout') AS statement_timeout,
          to_regclass('pg_temp.leak_probe') IS NOT NULL AS temp_table,
          (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = ${LOCK_KEY}) AS locks`,
];

const paths = [
  { name: "WebSocket", run: overWebSocket },
  { name: "HTTP", run: overHttp },
];

describe.skipIf(onHyperdrive || stack().pooler === "none")("the pooled endpoint (PgBouncer, transaction mode)", () => {
  beforeAll(() => {
    useLocalNeonProxy(NEON_LOCAL_PROXY);
    openWebSocketsWithFetch();
  });

  it("is what the Worker is given: a -pooler host, as Neon's pooled string", () => {
    expect(new URL(pooledUrl).hostname).toMatch(/^ep-[a-z0-9-]+-pooler\./);
    expect(new URL(stack().directEndpointUrl).hostname).not.toContain("-pooler");
  });

  it("shares server sessions between clients, where the direct endpoint gives each its own", async () => {
    const pidsOf = async (url: string) => {
      const pids = new Set<unknown>();
      for (let i = 0; i < 6; i++) pids.add((await overWebSocket(url, ["SELECT pg_backend_pid() AS pid"])).pid);
      return pids;
    };
    // Six clients one after another: through PgBouncer they reuse a few server sessions.
    expect((await pidsOf(ownPool)).size).toBeLessThan(6);
    expect((await pidsOf(stack().directEndpointUrl)).size).toBe(6);
  });

  it.each(paths)(
    "over $name, a request's SET, temp table and advisory lock are gone for the next request",
    async ({ run }) => {
      // The next request may land on another server session (the local Neon's /sql pool resets
      // its connections through PgBouncer too); try until one lands on the same, the case that would leak.
      let sameSession = 0;
      for (let attempt = 0; attempt < 40 && sameSession < 2; attempt++) {
        const { pid } = await run(ownPool, LEAVE_STATE);
        // PgBouncer resets a released server session before it lends it again: a request that
        // came at once would take another one.
        await new Promise((r) => setTimeout(r, 20));
        const next = await run(ownPool, READ_STATE);
        expect(next.statement_timeout).toBe("0");
        expect(next.temp_table).toBe(false);
        expect(next.locks).toBe(0);
        if (next.pid === pid) sameSession++;
      }
      expect(sameSession, "no request reused the previous one's server session").toBeGreaterThan(0);
    },
  );
});
