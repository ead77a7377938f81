// Postgres backends serving clients other than our own checks: what a leak would show up in.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

/** application_name of the checker's own connections, left out of every count. */
export const CHECKER_APPLICATION_NAME = "reliability-check";

/**
 * The local Neon's own /sql pool (application_name local-neon-http) is left out as well: it keeps
 * a bounded number of authenticated connections on purpose, as Neon's proxy does. The Worker's
 * connections (WebSocket, Hyperdrive) are what a leak is made of.
 */
const SQL_POOL_APPLICATION_NAME = "local-neon-http";

export async function countBackends(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND application_name NOT IN ($1, $2)`,
    [CHECKER_APPLICATION_NAME, SQL_POOL_APPLICATION_NAME],
  );
  return rows[0]!.n;
}

/**
 * Waits (at most `withinMs`) for the count to come back to `baseline`: connections are closed
 * after the response, in waitUntil, so they lag the last request a little. Returns the last count.
 */
export async function settleBackends(db: pg.Pool, baseline: number, withinMs = 15_000): Promise<number> {
  const deadline = Date.now() + withinMs;
  let n = await countBackends(db);
  while (n > baseline && Date.now() < deadline) {
    await sleep(100);
    n = await countBackends(db);
  }
  return n;
}
