// What the bench runs against: the local stack (tools/local-neon) with an injected Worker↔Neon
// round-trip time, and the bench Worker (tools/bench/worker) served with production's
// wrangler.toml (minified bundle, same compatibility settings).
import { type LocalStack, type LocalWorker, serveWorker, startLocalStack } from "@starter/local-neon";

export const BENCH_TOKEN = "bench-api-token-0123456789";
/** Every route but /health needs it (the app is closed by default). */
export const BENCH_AUTH = { Authorization: `Bearer ${BENCH_TOKEN}` };
export const BENCH_WORKER = "tools/bench/worker/index.ts";

export const startBenchStack = (latencyMs: number): Promise<LocalStack> => startLocalStack({ faults: { latencyMs } });

/** A fresh workerd process (so a fresh isolate) running the bench Worker. */
export function startBenchWorker(
  stack: LocalStack,
  entrypoint = BENCH_WORKER,
  opts: { hyperdrive?: boolean } = {},
): Promise<LocalWorker> {
  return serveWorker(stack, {
    hyperdrive: opts.hyperdrive,
    // BENCH_WRANGLER_CONFIG: compare another configuration (e.g. without minify) on the same code.
    config: process.env.BENCH_WRANGLER_CONFIG,
    entrypoint,
    logLevel: "none",
    bindings: { API_TOKEN: BENCH_TOKEN },
  });
}

/** What the bench Worker is bound to in plain workerd (serveWorker adds the same to the stack's). */
export function benchBindings(stack: LocalStack): Record<string, string> {
  return { ...stack.workerBindings, API_TOKEN: BENCH_TOKEN };
}
