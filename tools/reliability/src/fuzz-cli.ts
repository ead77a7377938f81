// `npm run reliability:fuzz`: 10,000 generated requests (fast-check, seeded) against the Worker
// on its own stack; exits 1 on any 5xx, missing response, or an unhealthy Worker afterwards.
import { intFlag, runReliabilityCommand } from "./cli.js";
import { runFuzz } from "./fuzz.js";

runReliabilityCommand("reliability:fuzz", async (stack, say) => {
  const requests = intFlag("requests", 10_000);
  const seed = intFlag("seed", Date.now() % 2 ** 31);
  const concurrency = intFlag("concurrency", 8);
  const deadlineMs = intFlag("max-seconds", 900) * 1000;
  say(`sending ${requests} generated requests, seed ${seed} (replay: --seed ${seed})`);
  const r = await runFuzz(stack, { seed, requests, concurrency, deadlineMs });
  say(`${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s, statuses ${JSON.stringify(r.byStatus)}`);
  for (const f of r.failures.slice(0, 10))
    say(`failure #${f.index}: ${f.status} for ${f.method} ${f.path} ${f.bodyStart ?? ""}`);
  say(`5xx or no response: ${r.failures.length}; healthy afterwards: ${r.healthyAfter}`);
  say(`Worker connections open at the local Neon: ${r.connectionsBefore} before, ${r.connectionsAfter} after`);
  return (
    r.requests === requests &&
    r.failures.length === 0 &&
    r.healthyAfter &&
    r.connectionsAfter <= r.connectionsBefore &&
    r.invariants.driftedCounters === 0
  );
});
