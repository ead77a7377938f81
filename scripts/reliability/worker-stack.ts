// The Worker on its own throwaway stack: a fresh Postgres, migrated, behind its own local Neon,
// served by wrangler on 127.0.0.1. Faults are global to a local Neon, so reliability runs never
// share one with other tests. Used by test/reliability and the long-run scripts.
import pg from "pg";
import { unstable_startWorker } from "wrangler";
import { migrateDatabase } from "../db/migrate.js";
import { startLocalNeon, type LocalNeon } from "../local-neon/index.js";
import { startLocalPostgres } from "../local-postgres/index.js";
import { CHECKER_APPLICATION_NAME } from "./backends.js";

export interface WorkerStack {
  /** http://127.0.0.1:PORT of the Worker. */
  origin: string;
  /** Send as `Authorization: Bearer …` on write routes. */
  apiToken: string;
  /** The Worker's DB_CONNECT_TIMEOUT_MS binding. */
  connectTimeoutMs: number;
  /** The local Neon in front of the database: setFaults(), counters(). */
  neon: LocalNeon;
  /** Straight to Postgres (not through the proxy), for checks the Worker must not influence. */
  db: pg.Pool;
  /** "postgres" (PG binaries installed) or "pglite". */
  dbKind: string;
  stop(): Promise<void>;
}

export interface StartWorkerStackOptions {
  connectTimeoutMs?: number;
  /** One line per step; default silent. */
  log?: (line: string) => void;
}

// A random token per stack: nothing secret to keep out of logs, nothing reused between runs.
const newToken = () => `reliability-${crypto.randomUUID()}`;

export async function startWorkerStack(opts: StartWorkerStackOptions = {}): Promise<WorkerStack> {
  const log = opts.log ?? (() => {});
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker.
  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const database = await startLocalPostgres({ kind: "auto" });
    stops.push(() => database.stop());
    log(`database: ${database.kind}`);
    await migrateDatabase({ directUrl: database.url, attempts: 1, log: () => {} });
    log("migrations applied");
    const neon = await startLocalNeon({ upstream: database.url });
    stops.push(() => neon.stop());
    log(`local Neon on ${neon.host}:${neon.port}`);
    const db = new pg.Pool({ connectionString: database.url, max: 2, application_name: CHECKER_APPLICATION_NAME });
    stops.push(() => db.end());
    const apiToken = newToken();
    const worker = await unstable_startWorker({
      config: "wrangler.toml",
      bindings: {
        DATABASE_URL: { type: "plain_text", value: database.url },
        NEON_LOCAL_PROXY: { type: "plain_text", value: `${neon.host}:${neon.port}` },
        API_TOKEN: { type: "plain_text", value: apiToken },
        DB_CONNECT_TIMEOUT_MS: { type: "plain_text", value: String(connectTimeoutMs) },
      },
      // No file watching: an edit elsewhere in the tree must not restart the Worker mid-run.
      dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error", watch: false },
    });
    stops.push(() => worker.dispose());
    const origin = (await worker.url).origin;
    log(`Worker on ${origin}`);
    return { origin, apiToken, connectTimeoutMs, neon, db, dbKind: database.kind, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
