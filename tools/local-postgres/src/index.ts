// Starts the database under the local Neon: a real PostgreSQL when one can be had
// (an existing server by URL, or a throwaway/persistent cluster from the Debian
// binaries), else embedded PGlite. Node-side tooling only; never bundled into the Worker.
import { join, resolve } from "node:path";
import { preferPort } from "./free-port.js";
import { startPgliteServer } from "./pglite-server.js";
import { locatePostgresBinDir, startPostgresCluster } from "./postgres-cluster.js";
import type { DatabaseServer } from "./server.js";

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
  /** 0/omitted → a free port. */
  port?: number;
  /** Use this port if it is free, else any free one (a second stack still starts). */
  preferredPort?: number;
  /** Use this running server instead of starting one. */
  externalUrl?: string;
  log?: (line: string) => void;
}

export { createDatabase, databaseUrl, query, uniqueName } from "./databases.js";
export { findFreePort, preferPort } from "./free-port.js";
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
  const port = opts.port || (opts.preferredPort ? await preferPort(opts.preferredPort) : undefined);
  if (binDir) {
    const cluster = await startPostgresCluster({ binDir, dataDir: dataDirFor("postgres"), port, log });
    return { kind: "postgres", url: cluster.url, stop: cluster.stop };
  }
  if (kind === "auto") {
    log(
      "no PostgreSQL server binaries found (POSTGRES_BIN_DIR, Debian's, PATH, Homebrew, Postgres.app): falling back to embedded PGlite",
    );
  }
  const pglite = await startPgliteServer({ dataDir: dataDirFor("pglite"), port, log });
  return { kind: "pglite", url: pglite.url, stop: pglite.stop };
}
export { findPgbouncer, type Pooler, startPgbouncer } from "./pgbouncer.js";
