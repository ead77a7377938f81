// The Worker's database connections still open: what a leak would show up in.
import { setTimeout as sleep } from "node:timers/promises";
import type { WorkerUnderTest } from "./worker-under-test.js";

/** application_name of the checker's own connections (straight to Postgres, never the Worker's). */
export const CHECKER_APPLICATION_NAME = "reliability-check";

/**
 * The Worker's tunnels to the database still open at the local Neon (WebSocket and TCP, whether
 * PgBouncer or Postgres is behind): each one is a connection the Worker opened and has not closed.
 * Counted at the proxy rather than in pg_stat_activity, because two things keep Postgres backends
 * open on purpose, as on Neon: PgBouncer's server pool behind the -pooler endpoint, and the /sql
 * pool. Both are bounded by their configuration; neither is the Worker's.
 */
export const openConnections = (target: WorkerUnderTest): number => target.stack.neon.counters().upstreamOpen;

/**
 * Waits (at most `withinMs`) for the count to come back to `baseline`: connections are closed
 * after the response, in waitUntil, so they lag the last request a little. Returns the last count.
 */
export async function settleConnections(target: WorkerUnderTest, baseline: number, withinMs = 15_000): Promise<number> {
  const deadline = Date.now() + withinMs;
  let n = openConnections(target);
  while (n > baseline && Date.now() < deadline) {
    await sleep(50);
    n = openConnections(target);
  }
  return n;
}
