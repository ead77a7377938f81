// The local stack the bench runs against: a throwaway Postgres, migrated, behind the local Neon
// with an injected round-trip time, and the bench Worker (scripts/bench/worker) in wrangler's dev
// server with production's wrangler.toml (minified bundle, same compatibility settings).
import path from "node:path";
import { unstable_startWorker } from "wrangler";
import { migrateDatabase } from "../db/migrate";
import { startLocalNeon, type LocalNeon } from "../local-neon/index";
import { startLocalPostgres } from "../local-postgres/index";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const BENCH_TOKEN = "bench-api-token-0123456789";

export interface BenchStack {
  db: "postgres" | "pglite" | "external";
  databaseUrl: string;
  neon: LocalNeon;
  stop(): Promise<void>;
}

export async function startBenchStack(latencyMs: number): Promise<BenchStack> {
  const database = await startLocalPostgres({ kind: "auto" });
  try {
    await migrateDatabase({ directUrl: database.url, attempts: 1, log: () => {} });
    const neon = await startLocalNeon({ upstream: database.url, faults: { latencyMs } });
    return {
      db: database.kind,
      databaseUrl: database.url,
      neon,
      async stop() {
        await neon.stop();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

export interface BenchWorker {
  origin: string;
  dispose(): Promise<void>;
}

/** A fresh workerd process (so a fresh isolate) running the bench Worker. */
export async function startBenchWorker(stack: BenchStack, entrypoint = "scripts/bench/worker/index.ts"): Promise<BenchWorker> {
  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";
  const worker = await unstable_startWorker({
    // BENCH_WRANGLER_CONFIG: compare another configuration (e.g. without minify) on the same code.
    config: path.resolve(ROOT, process.env.BENCH_WRANGLER_CONFIG ?? "wrangler.toml"),
    entrypoint: path.resolve(ROOT, entrypoint),
    bindings: {
      DATABASE_URL: { type: "plain_text", value: stack.databaseUrl },
      NEON_LOCAL_PROXY: { type: "plain_text", value: `${stack.neon.host}:${stack.neon.port}` },
      API_TOKEN: { type: "plain_text", value: BENCH_TOKEN },
    },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "none", watch: false },
  });
  const origin = (await worker.url).origin;
  return { origin, dispose: () => worker.dispose() };
}
