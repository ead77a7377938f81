import type { TestProject } from "vitest/node";
import { startLocalPostgres } from "../../scripts/local-postgres/index";
import { startLocalNeon } from "../../scripts/local-neon/index";
import { migrateDatabase } from "../../scripts/db/migrate";

/** What the Worker tests get through inject("workerStack"). */
export interface WorkerStack {
  /** The connection string the Worker is given (the upstream's own URL, as the local proxy expects). */
  databaseUrl: string;
  /** host:port of the local Neon proxy (NEON_LOCAL_PROXY). */
  neonProxy: string;
  /** The local Neon's HTTP origin, for its counters and fault endpoints. */
  neonAdmin: string;
  /** Which database is under the proxy. */
  db: "postgres" | "pglite" | "external";
}

declare module "vitest" {
  interface ProvidedContext {
    workerStack: WorkerStack;
  }
}

/**
 * Starts a fresh database for this run, applies the migrations with Prisma's engine, and puts
 * the local Neon proxy in front of it. Everything is stopped when the run ends.
 */
export default async function setup(project: TestProject) {
  const kind = project.name.includes("pglite") ? "pglite" : "auto";
  const database = await startLocalPostgres({ kind });
  try {
    await migrateDatabase({ directUrl: database.url, log: () => {} });
    const neon = await startLocalNeon({ upstream: database.url });
    project.provide("workerStack", {
      databaseUrl: database.url,
      neonProxy: `${neon.host}:${neon.port}`,
      neonAdmin: neon.httpUrl,
      db: database.kind,
    });
    return async () => {
      await neon.stop();
      await database.stop();
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
