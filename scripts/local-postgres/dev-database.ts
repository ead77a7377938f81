import { resolve } from "node:path";
import { preferPort } from "./free-port.js";
import { findPostgresBinDir } from "./postgres-cluster.js";
import { startLocalPostgres, type LocalPostgres } from "./index.js";

/** Where `npm run dev` and `npm run neon:local` keep local data between runs (gitignored). */
export const DEV_DATA_DIRS = { postgres: ".local/postgres", pglite: ".local/pglite" } as const;

/** A stable port, so a DIRECT_URL for the local database can live in .env (LOCAL_DB_PORT overrides). */
export const DEV_DATABASE_PORT = Number(process.env.LOCAL_DB_PORT ?? 54329);

/**
 * The persistent local database for development: real PostgreSQL if its binaries are installed,
 * else PGlite, each with its own data folder so switching never mixes the two.
 */
export async function startDevDatabase(opts: {
  kind?: "auto" | "postgres" | "pglite";
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalPostgres> {
  const kind = opts.kind ?? "auto";
  const usesPglite = kind === "pglite" || (kind === "auto" && !findPostgresBinDir());
  const dataDir = resolve(opts.dataDir ?? DEV_DATA_DIRS[usesPglite ? "pglite" : "postgres"]);
  const port = opts.port || (await preferPort(DEV_DATABASE_PORT));
  return startLocalPostgres({ kind, dataDir, port, log: opts.log });
}
