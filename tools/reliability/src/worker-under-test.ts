// The Worker on its own throwaway local stack (tools/local-neon): a fresh Postgres, migrated,
// behind its own local Neon, served by wrangler on 127.0.0.1. Faults are global to a local Neon,
// so reliability runs never share one with other tests. Used by the tests and the long-run CLIs.
import { type LocalStack, serveWorker, startLocalStack } from "@starter/local-neon";
import pg from "pg";
import { CHECKER_APPLICATION_NAME } from "./connections.js";

export interface WorkerUnderTest {
  /** http://127.0.0.1:PORT of the Worker. */
  origin: string;
  /** Send as `Authorization: Bearer …` on write routes. */
  apiToken: string;
  /** The Worker's DB_CONNECT_TIMEOUT_MS binding. */
  connectTimeoutMs: number;
  /** The stack under it: stack.neon.setFaults(), stack.neon.counters(), stack.kind. */
  stack: LocalStack;
  /** Straight to Postgres (not through the proxy), for checks the Worker must not influence. */
  db: pg.Pool;
  stop(): Promise<void>;
}

/** Neon's serverless driver (WebSocket and HTTP), or Hyperdrive (pg over the local Neon's TCP endpoint). */
export const DATABASE_PATHS = ["neon", "hyperdrive"] as const;
export type DatabasePath = (typeof DATABASE_PATHS)[number];

export interface StartWorkerUnderTestOptions {
  connectTimeoutMs?: number;
  /** Which path the Worker's routes take (default "neon"); faults apply to both alike. */
  via?: DatabasePath;
  /** One line per step; default silent. */
  log?: (line: string) => void;
  /** Another Worker entry with the same wrangler.toml (the tests' test/worker/fixture/worker.ts). */
  entrypoint?: string;
  /** SQL run on the fresh database before the Worker starts (the fixture's tables). */
  setupSql?: string;
}

// A random token per run: nothing secret to keep out of logs, nothing reused between runs.
const newToken = () => `reliability-${crypto.randomUUID()}`;

export async function startWorkerUnderTest(opts: StartWorkerUnderTestOptions = {}): Promise<WorkerUnderTest> {
  const log = opts.log ?? (() => {});
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const stack = await startLocalStack({ log });
    stops.push(() => stack.stop());
    const db = new pg.Pool({ connectionString: stack.directUrl, max: 2, application_name: CHECKER_APPLICATION_NAME });
    stops.push(() => db.end());
    if (opts.setupSql) await db.query(opts.setupSql);
    const apiToken = newToken();
    const worker = await serveWorker(stack, {
      bindings: { API_TOKEN: apiToken, DB_CONNECT_TIMEOUT_MS: String(connectTimeoutMs) },
      hyperdrive: opts.via === "hyperdrive",
      entrypoint: opts.entrypoint,
    });
    stops.push(() => worker.dispose());
    log(`Worker on ${worker.origin} (${opts.via ?? "neon"})`);
    return { origin: worker.origin, apiToken, connectTimeoutMs, stack, db, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
