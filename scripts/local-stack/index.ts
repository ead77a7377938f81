// The local stack the Worker runs against in tests, benchmarks and reliability runs: a fresh
// database, migrated by Prisma's engine, behind its own local Neon — and the Worker itself,
// served by wrangler's dev server on 127.0.0.1 with bindings that point at that Neon.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import { migrateDatabase } from "../db/migrate.js";
import { startLocalNeon, type LocalNeon, type LocalNeonFaults } from "../local-neon/index.js";
import { startLocalPostgres, type LocalPostgresKind } from "../local-postgres/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface MigratedStack {
  /** The database's own URL: what the Worker gets as DATABASE_URL (the proxy expects it). */
  databaseUrl: string;
  kind: LocalPostgresKind;
  neon: LocalNeon;
  /** host:port of the local Neon: the NEON_LOCAL_PROXY binding. */
  neonProxy: string;
  stop(): Promise<void>;
}

/** A throwaway database with the migrations applied, behind a local Neon of its own. */
export async function startMigratedStack(
  opts: { kind?: "auto" | "pglite"; faults?: Partial<LocalNeonFaults>; log?: (line: string) => void } = {},
): Promise<MigratedStack> {
  const log = opts.log ?? (() => {});
  const database = await startLocalPostgres({ kind: opts.kind ?? "auto" });
  try {
    log(`database: ${database.kind}`);
    await migrateDatabase({ directUrl: database.url, attempts: 1, log: () => {} });
    log("migrations applied");
    const neon = await startLocalNeon({ upstream: database.url, faults: opts.faults });
    log(`local Neon on ${neon.host}:${neon.port}`);
    return {
      databaseUrl: database.url,
      kind: database.kind,
      neon,
      neonProxy: `${neon.host}:${neon.port}`,
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

export interface LocalWorker {
  /** http://127.0.0.1:PORT */
  origin: string;
  dispose(): Promise<void>;
}

/**
 * The Worker (or another entry built with the same wrangler.toml) in a fresh workerd process, so
 * a fresh isolate. Bindings are plain text, as .dev.vars would give them. No file watching: an
 * edit elsewhere in the tree must not restart the Worker mid-run.
 */
export async function startLocalWorker(opts: {
  bindings: Record<string, string>;
  entrypoint?: string;
  config?: string;
  logLevel?: "none" | "error";
}): Promise<LocalWorker> {
  // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker.
  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";
  const worker = await unstable_startWorker({
    config: path.resolve(ROOT, opts.config ?? "wrangler.toml"),
    ...(opts.entrypoint ? { entrypoint: path.resolve(ROOT, opts.entrypoint) } : {}),
    bindings: Object.fromEntries(
      Object.entries(opts.bindings).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
    ),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: opts.logLevel ?? "error", watch: false },
  });
  return { origin: (await worker.url).origin, dispose: () => worker.dispose() };
}
