// The Worker on its own throwaway stack: a fresh Postgres, migrated, behind its own local Neon,
// served by wrangler on 127.0.0.1. Faults are global to a local Neon, so reliability runs never
// share one with other tests. Used by test/reliability and the long-run scripts.
import pg from "pg";
import { startLocalWorker, startMigratedStack } from "../local-stack/index.js";
import type { LocalNeon } from "../local-neon/index.js";
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
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const stack = await startMigratedStack({ log });
    stops.push(() => stack.stop());
    const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2, application_name: CHECKER_APPLICATION_NAME });
    stops.push(() => db.end());
    const apiToken = newToken();
    const worker = await startLocalWorker({
      bindings: {
        DATABASE_URL: stack.databaseUrl,
        NEON_LOCAL_PROXY: stack.neonProxy,
        API_TOKEN: apiToken,
        DB_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
      },
    });
    stops.push(() => worker.dispose());
    log(`Worker on ${worker.origin}`);
    return { origin: worker.origin, apiToken, connectTimeoutMs, neon: stack.neon, db, dbKind: stack.kind, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
