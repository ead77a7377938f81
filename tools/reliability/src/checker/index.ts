// The concurrency checker, whole: pools, the seeded schedule under faults, then the checks against
// Postgres. Used by `npm run reliability:check` and by its short run in the tests.
import { openConnections, settleConnections } from "../connections.js";
import type { WorkerUnderTest } from "../worker-under-test.js";
import { check } from "./check.js";
import { makePools, runSchedule } from "./run.js";
import { makeSchedule } from "./schedule.js";

export interface CheckerReport {
  seed: number;
  ops: number;
  concurrency: number;
  ms: number;
  /** Operations by kind and final status (after a keyed write's retries). */
  outcomes: Record<string, number>;
  /** Keyed writes retried after a lost or retry-me answer. */
  retried: number;
  violations: string[];
}

export async function runChecker(
  target: WorkerUnderTest,
  opts: { seed: number; ops: number; concurrency: number },
): Promise<CheckerReport> {
  const schedule = makeSchedule(opts.seed, opts.ops);
  const pools = await makePools(target, schedule);
  const baseline = openConnections(target);
  const history = await runSchedule(target, schedule, pools, opts.concurrency);
  // Checked once the Worker has let go: its connections close after each response.
  await settleConnections(target, baseline);
  const outcomes: Record<string, number> = {};
  let retried = 0;
  for (const { op, attempts } of history.entries) {
    const label = `${op.kind}${"key" in op && op.key ? " (keyed)" : ""} ${attempts.at(-1)!.status}`;
    outcomes[label] = (outcomes[label] ?? 0) + 1;
    if (attempts.length > 1) retried++;
  }
  return {
    ...opts,
    ms: history.ms,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort()),
    retried,
    violations: await check(target.db, history),
  };
}
