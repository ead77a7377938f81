// `npm run reliability:load`: 10,000 requests at concurrency 64 against the Worker on its own
// stack; exits 1 on any unexpected status, leaked backend or broken counter.
import { intFlag } from "./cli-args.js";
import { runLoad } from "./load.js";
import { startWorkerStack } from "./worker-stack.js";

const say = (line: string) => console.log(`[reliability:load] ${line}`);

async function main(): Promise<number> {
  const requests = intFlag("requests", 10_000);
  const concurrency = intFlag("concurrency", 64);
  const deadlineMs = intFlag("max-seconds", 900) * 1000;
  const stack = await startWorkerStack({ log: say });
  try {
    say(`sending ${requests} requests at concurrency ${concurrency} (stops after ${deadlineMs / 1000} s)`);
    const r = await runLoad(stack, { requests, concurrency, deadlineMs });
    say(`${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.requests * 1000) / r.ms)} req/s), statuses ${JSON.stringify(r.byStatus)}`);
    say(`unexpected: ${r.unexpected}${r.examples.length ? ` — ${r.examples.join("; ")}` : ""}`);
    say(`Postgres backends: ${r.backendsBefore} before, ${r.backendsAfter} after`);
    say(`invariants: ${r.invariants.driftedCounters} drifted post counters, ${r.invariants.orphanPosts} orphan posts, ${r.invariants.posts} posts`);
    const ok = r.requests === requests && r.unexpected === 0 && r.backendsAfter <= r.backendsBefore &&
      r.invariants.driftedCounters === 0 && r.invariants.orphanPosts === 0;
    say(ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[reliability:load] error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
