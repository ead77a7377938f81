// `npm run reliability:check -- [--seed N] [--ops N] [--concurrency N] [--via neon|hyperdrive]`:
// the concurrency checker (src/checker/) against the Worker on its own stack. Exits 1 on any
// violation; the same seed replays the same schedule.

import { runChecker } from "./checker/index.js";
import { intFlag } from "./cli.js";
import { missingDemoRoutes } from "./demo-routes.js";
import { DATABASE_PATHS, type DatabasePath, startWorkerUnderTest } from "./worker-under-test.js";

const say = (line: string) => console.log(`[reliability:check] ${line}`);

async function main(): Promise<number> {
  const seed = intFlag("seed", Date.now() % 1_000_000);
  const ops = intFlag("ops", 10_000);
  const concurrency = intFlag("concurrency", 32);
  const at = process.argv.indexOf("--via");
  const via = (at < 0 ? "neon" : process.argv[at + 1]) as DatabasePath;
  if (!DATABASE_PATHS.includes(via)) throw new Error(`--via is one of ${DATABASE_PATHS.join(", ")}`);
  const target = await startWorkerUnderTest({ via, connectTimeoutMs: 5_000 });
  try {
    const missing = await missingDemoRoutes(target);
    if (missing) throw new Error(missing);
    say(`seed ${seed}: ${ops} operations at concurrency ${concurrency}, over ${via}, under faults`);
    const r = await runChecker(target, { seed, ops, concurrency });
    say(`${ops} operations in ${(r.ms / 1000).toFixed(1)} s; ${r.retried} keyed writes retried`);
    for (const [outcome, n] of Object.entries(r.outcomes)) say(`  ${outcome}: ${n}`);
    say(`violations: ${r.violations.length}`);
    for (const v of r.violations.slice(0, 50)) say(`  ${v}`);
    if (r.violations.length)
      say(`replay: npm run reliability:check -- --seed ${seed} --ops ${ops} --concurrency ${concurrency} --via ${via}`);
    return r.violations.length === 0 ? 0 : 1;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[reliability:check] error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
