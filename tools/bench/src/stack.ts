// What the bench runs against: the local stack (tools/local-neon) with an injected Worker↔Neon
// round-trip time. The bench Worker (tools/bench/worker) runs as a deploy bundle in plain workerd
// (workerd.ts), built with production's wrangler.toml.
import { type LocalStack, startLocalStack } from "@starter/local-neon";

export const BENCH_TOKEN = "bench-api-token-0123456789";
/** Every route but /health needs it (the app is closed by default). */
export const BENCH_AUTH = { Authorization: `Bearer ${BENCH_TOKEN}` };

export const startBenchStack = (latencyMs: number): Promise<LocalStack> => startLocalStack({ faults: { latencyMs } });

/** What the bench Worker is bound to in plain workerd (serveWorker adds the same to the stack's). */
export function benchBindings(stack: LocalStack): Record<string, string> {
  return { ...stack.workerBindings, API_TOKEN: BENCH_TOKEN };
}
