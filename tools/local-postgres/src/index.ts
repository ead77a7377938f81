// Starts the database under the local Neon: a real PostgreSQL when one can be had
// (an existing server by URL, or a throwaway/persistent cluster from the Debian
// binaries), else embedded PGlite. Node-side tooling only; never bundled into the Worker.
import { join, resolve } from "node:path";
import { servedUrl } from "./data-dir-owner.js";
import { pgliteClaim, startPgliteServer } from "./pglite-server.js";
import { CLUSTER_CLAIM_FILE, locatePostgresBinDir, startPostgresCluster } from "./postgres-cluster.js";
import type { DatabaseServer } from "./server.js";

/** Where `npm run dev` and `npm run neon:local` keep their database between runs (gitignored). */
export const DEV_DATA_ROOT = ".local";

export type LocalPostgresKind = "postgres" | "pglite" | "external";

export interface LocalPostgres extends DatabaseServer {
  kind: LocalPostgresKind;
}

export interface StartLocalPostgresOptions {
  kind?: "auto" | "postgres" | "pglite";
  /** Persist data here; omitted → a temp dir removed on stop (unless dataRoot is set). */
  dataDir?: string;
  /** Persist data under <dataRoot>/postgres or <dataRoot>/pglite, so switching kinds never mixes the two. */
  dataRoot?: string;
  /**
   * 0/omitted → a free port. A given port that another program holds is refused in one line,
   * never swapped for another: a documented DIRECT_URL must not reach someone else's database.
   */
  port?: number;
  /** Use this running server instead of starting one. */
  externalUrl?: string;
  log?: (line: string) => void;
}

export { createDatabase, databaseUrl, query, uniqueName } from "./databases.js";
export { assertPortFree, findFreePort, PortInUseError } from "./free-port.js";
export { findPostgresBinDir, locatePostgresBinDir } from "./postgres-cluster.js";
export type { DatabaseServer } from "./server.js";

export async function startLocalPostgres(opts: StartLocalPostgresOptions = {}): Promise<LocalPostgres> {
  const log = opts.log ?? (() => {});
  if (opts.externalUrl) {
    const url = new URL(opts.externalUrl);
    if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error("externalUrl must be a postgres:// URL");
    log(`using external PostgreSQL at ${url.hostname}:${url.port || 5432}`);
    return { kind: "external", url: opts.externalUrl, stop: async () => {} };
  }
  const kind = opts.kind ?? "auto";
  const found = kind === "pglite" ? undefined : locatePostgresBinDir();
  const binDir = found?.dir;
  if (kind === "postgres" && !binDir) {
    throw new Error(
      "no PostgreSQL server binaries (initdb, pg_ctl) found: install PostgreSQL (apt-get install postgresql, brew install postgresql@17), or set POSTGRES_BIN_DIR",
    );
  }
  if (found) log(`PostgreSQL from ${found.dir} (${found.via})`);
  const dataDirFor = (k: "postgres" | "pglite") =>
    opts.dataDir ? resolve(opts.dataDir) : opts.dataRoot ? resolve(join(opts.dataRoot, k)) : undefined;
  if (!binDir && kind === "auto") {
    log(
      "no PostgreSQL server binaries found (POSTGRES_BIN_DIR, Debian's, PATH, Homebrew, Postgres.app): falling back to embedded PGlite",
    );
  }
  if (binDir) {
    const cluster = await startPostgresCluster({ binDir, dataDir: dataDirFor("postgres"), port: opts.port, log });
    return { kind: "postgres", url: cluster.url, dir: cluster.dir, stop: cluster.stop };
  }
  const pglite = await startPgliteServer({ dataDir: dataDirFor("pglite"), port: opts.port, log });
  return { kind: "pglite", url: pglite.url, stop: pglite.stop };
}

/**
 * The URL of the database another live process (`npm run dev`, `neon:local`) serves from
 * `dataRoot`'s default layout, if any: what `npm run prisma` uses when DIRECT_URL is unset.
 */
export function runningDatabaseUrl(dataRoot: string): string | undefined {
  return (
    servedUrl(join(dataRoot, "postgres"), CLUSTER_CLAIM_FILE) ?? servedUrl(...pgliteClaim(join(dataRoot, "pglite")))
  );
}
export { accepts, findPgbouncer, type Pooler, startPgbouncer } from "./pgbouncer.js";
