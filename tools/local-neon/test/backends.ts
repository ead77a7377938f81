// Shared setup for the local-neon tests: one database + one proxy per backend, the
// official driver pointed at the proxy, and a direct `pg` client to compare against.
import { Client, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { findPostgresBinDir } from "@starter/local-postgres";
import pg from "pg";
import { afterAll, beforeAll, beforeEach } from "vitest";
import ws from "ws";
import { applyLocalNeonConfig } from "../src/proxy/client-config.js";
import { NO_FAULTS } from "../src/proxy/faults.js";
import type { LocalNeon } from "../src/proxy/local-neon.js";
import { type LocalStack, startLocalStack } from "../src/stack.js";

export type BackendKind = "postgres" | "pglite";

const binDir = findPostgresBinDir();
export const BACKENDS: { kind: BackendKind; skip: string | false }[] = [
  { kind: "postgres", skip: binDir ? false : "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" },
  { kind: "pglite", skip: false },
];
for (const b of BACKENDS) if (b.skip) console.warn(`[local-neon tests] skipping backend "${b.kind}": ${b.skip}`);

export interface Backend {
  /** The database's own URL (what the driver is given; the proxy forwards to it). */
  db: { url: string };
  proxy: LocalNeon;
  direct: pg.Client;
  sql: ReturnType<typeof neon>;
  /** Points the (global) neonConfig at this backend's proxy. */
  configure(): void;
  newPool(): Pool;
  newClient(): Client;
  /** A node-postgres client to the local Neon's TCP endpoint (what a local Hyperdrive binding reaches). */
  newTcpClient(): pg.Client;
  stop(): Promise<void>;
}

export async function startBackend(kind: BackendKind): Promise<Backend> {
  // No migrations: these tests make their own tables.
  const stack: LocalStack = await startLocalStack({ database: kind, migrate: false });
  const db = { url: stack.directUrl };
  const proxy = stack.neon;
  const direct = new pg.Client({ connectionString: db.url });
  await direct.connect();
  const configure = () => {
    neonConfig.webSocketConstructor = ws;
    applyLocalNeonConfig(neonConfig, `127.0.0.1:${proxy.port}`);
  };
  configure();
  const pools: Pool[] = [];
  return {
    db,
    proxy,
    direct,
    configure,
    sql: neon(db.url),
    newPool() {
      const pool = new Pool({ connectionString: db.url, max: 2 });
      pool.on("error", () => {}); // stray errors after a clean close must not fail the run
      pools.push(pool);
      return pool;
    },
    newClient() {
      const client = new Client({ connectionString: db.url });
      client.on("error", () => {});
      return client;
    },
    newTcpClient() {
      const client = new pg.Client({ connectionString: stack.hyperdriveUrl });
      client.on("error", () => {});
      return client;
    },
    async stop() {
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
      await direct.end().catch(() => {});
      await stack.stop();
    },
  };
}

/** Waits until `check` returns true (polling), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * For a describe block of fault and counter tests: starts the backend before its tests, stops it
 * after, and before each test turns every fault off, lets earlier connections close and zeroes
 * the counters. Returns the backend, read lazily (it exists once beforeAll has run).
 */
export function useBackend(kind: BackendKind, skip: string | false): Backend {
  let backend: Backend | undefined;
  beforeAll(async () => {
    if (!skip) backend = await startBackend(kind);
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    if (!backend) return;
    const b = backend;
    b.configure();
    b.proxy.setFaults(NO_FAULTS);
    await eventually(() => b.proxy.counters().wsOpen + b.proxy.counters().tcpOpen === 0);
    b.proxy.resetCounters();
  });
  return new Proxy({} as Backend, { get: (_, key) => backend?.[key as keyof Backend] });
}

/** Runs `SELECT 1` up to `tries` times; resolves with the first failure (undefined if none). */
export async function firstFailure(client: { query(sql: string): Promise<unknown> }, tries = 10): Promise<unknown> {
  for (let i = 0; i < tries; i++) {
    const failure = await client.query("SELECT 1").then(
      () => undefined,
      (e: unknown) => e ?? "failed",
    );
    if (failure) return failure;
  }
  return undefined;
}
