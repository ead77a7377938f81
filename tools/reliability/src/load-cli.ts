// `npm run reliability:load`: 10,000 requests at concurrency 64 against the Worker on its own
// stack; exits 1 on any unexpected status, leaked backend or broken counter.
import { intFlag, runReliabilityCommand } from "./cli.js";
import { runLoad } from "./load.js";

runReliabilityCommand("reliability:load", async (stack, say) => {
  const requests = intFlag("requests", 10_000);
  const concurrency = intFlag("concurrency", 64);
  const deadlineMs = intFlag("max-seconds", 900) * 1000;
  say(`sending ${requests} requests at concurrency ${concurrency} (stops after ${deadlineMs / 1000} s)`);
  const r = await runLoad(stack, { requests, concurrency, deadlineMs });
  say(
    `${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.requests * 1000) / r.ms)} req/s), statuses ${JSON.stringify(r.byStatus)}`,
  );
  say(`unexpected: ${r.unexpected}${r.examples.length ? ` — ${r.examples.join("; ")}` : ""}`);
  say(`Worker connections open at the local Neon: ${r.connectionsBefore} before, ${r.connectionsAfter} after`);
  say(
    `invariants: ${r.invariants.driftedCounters} drifted post counters, ${r.invariants.orphanPosts} orphan posts, ${r.invariants.posts} posts`,
  );
  return (
    r.requests === requests &&
    r.unexpected === 0 &&
    r.connectionsAfter <= r.connectionsBefore &&
    r.invariants.driftedCounters === 0 &&
    r.invariants.orphanPosts === 0
  );
});
