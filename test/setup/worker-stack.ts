import type { TestProject } from "vitest/node";
import { startLocalPostgres } from "../../scripts/local-postgres/index";
import { startLocalNeon } from "../../scripts/local-neon/index";
import { migrateDatabase } from "../../scripts/db/migrate";

export type WorkerStackDb = "postgres" | "pglite";

/** What the Worker tests get through inject("workerStacks")[db]. */
export interface WorkerStack {
  /** The connection string the Worker is given (the database's own URL, as the local proxy expects). */
  databaseUrl: string;
  /** host:port of the local Neon proxy (the NEON_LOCAL_PROXY binding). */
  neonProxy: string;
  /** The local Neon's HTTP origin, for its counters and fault endpoints (/_local-neon/…). */
  neonAdmin: string;
  /** Which database is under the proxy. */
  db: "postgres" | "pglite" | "external";
  /** host:port of a second proxy in front of the same database that refuses every connection
   *  (Neon's "compute unreachable"), for outage tests that must not disturb the other files. */
  downNeonProxy: string;
  /** A second Postgres schema with the same migrations, for the DATABASE_SCHEMA binding. */
  altSchema: string;
}

declare module "vitest" {
  interface ProvidedContext {
    workerStacks: Record<WorkerStackDb, WorkerStack>;
    workerStackDb: WorkerStackDb;
  }
}

/**
 * A fresh database for this run, migrated with Prisma's engine, behind its own local Neon proxy.
 * "postgres" is real PostgreSQL when its binaries are installed (PGlite otherwise); "pglite" is
 * always the embedded fallback, for the smoke project.
 */
async function startStack(kind: "auto" | "pglite", stops: Array<() => Promise<void>>): Promise<WorkerStack> {
  const database = await startLocalPostgres({ kind });
  stops.push(() => database.stop());
  const altSchema = "tenant_alt";
  const withSchema = new URL(database.url);
  withSchema.searchParams.set("schema", altSchema);
  await migrateDatabase({ directUrl: database.url, attempts: 1, log: () => {} });
  // The DATABASE_SCHEMA test runs on real PostgreSQL only: PGlite ignores the startup
  // search_path that puts Prisma's own bookkeeping table in the URL's schema.
  if (database.kind !== "pglite") {
    await migrateDatabase({ directUrl: withSchema.toString(), attempts: 1, log: () => {} });
  }
  const neon = await startLocalNeon({ upstream: database.url });
  stops.push(() => neon.stop());
  const downNeon = await startLocalNeon({ upstream: database.url, faults: { refuseConnections: true } });
  stops.push(() => downNeon.stop());
  return {
    databaseUrl: database.url,
    neonProxy: `${neon.host}:${neon.port}`,
    neonAdmin: neon.httpUrl,
    db: database.kind,
    downNeonProxy: `${downNeon.host}:${downNeon.port}`,
    altSchema,
  };
}

/** Starts both stacks once per run (only those the selected projects use), stops them at the end. */
export default async function setup(project: TestProject) {
  const wanted = new Set(project.vitest.projects.map((p) => p.name));
  const stops: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const [postgres, pglite] = await Promise.all([
      wanted.has("worker (postgres)") ? startStack("auto", stops) : undefined,
      wanted.has("worker (pglite)") ? startStack("pglite", stops) : undefined,
    ]);
    project.provide("workerStacks", { postgres: postgres!, pglite: pglite! });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
