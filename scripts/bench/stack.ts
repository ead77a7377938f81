// The local stack the bench runs against: a throwaway Postgres, migrated, behind the local Neon
// with an injected round-trip time, and the bench Worker (scripts/bench/worker) in wrangler's dev
// server with production's wrangler.toml (minified bundle, same compatibility settings).
import { startLocalWorker, startMigratedStack, type LocalWorker, type MigratedStack } from "../local-stack/index";

export const BENCH_TOKEN = "bench-api-token-0123456789";

export type BenchStack = MigratedStack;
export type BenchWorker = LocalWorker;

export const startBenchStack = (latencyMs: number): Promise<BenchStack> => startMigratedStack({ faults: { latencyMs } });

/** A fresh workerd process (so a fresh isolate) running the bench Worker. */
export function startBenchWorker(stack: BenchStack, entrypoint = "scripts/bench/worker/index.ts"): Promise<BenchWorker> {
  return startLocalWorker({
    // BENCH_WRANGLER_CONFIG: compare another configuration (e.g. without minify) on the same code.
    config: process.env.BENCH_WRANGLER_CONFIG,
    entrypoint,
    logLevel: "none",
    bindings: benchBindings(stack),
  });
}

/** What the bench Worker is bound to, under wrangler's dev server and in plain workerd alike. */
export function benchBindings(stack: BenchStack): Record<string, string> {
  return { DATABASE_URL: stack.databaseUrl, NEON_LOCAL_PROXY: stack.neonProxy, API_TOKEN: BENCH_TOKEN };
}
