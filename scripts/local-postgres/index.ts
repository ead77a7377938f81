// Starts the database under the local Neon: a real PostgreSQL when one can be had
// (an existing server by URL, or a throwaway/persistent cluster from the Debian
// binaries), else embedded PGlite. Node-side tooling only; never bundled into the Worker.
import { findPostgresBinDir, startPostgresCluster } from "./postgres-cluster.js";
import { startPgliteServer } from "./pglite-server.js";
import type { DatabaseServer } from "./server.js";

export type LocalPostgresKind = "postgres" | "pglite" | "external";

export interface LocalPostgres extends DatabaseServer {
  kind: LocalPostgresKind;
}

export interface StartLocalPostgresOptions {
  kind?: "auto" | "postgres" | "pglite";
  /** Persist data here; omitted → a temp dir removed on stop. */
  dataDir?: string;
  /** 0/omitted → a free port. */
  port?: number;
  /** Use this running server instead of starting one. */
  externalUrl?: string;
  log?: (line: string) => void;
}

export { findPostgresBinDir } from "./postgres-cluster.js";
export { redactUrl } from "../lib/redact.js";

export async function startLocalPostgres(opts: StartLocalPostgresOptions = {}): Promise<LocalPostgres> {
  const log = opts.log ?? (() => {});
  if (opts.externalUrl) {
    const url = new URL(opts.externalUrl);
    if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error("externalUrl must be a postgres:// URL");
    log(`using external PostgreSQL at ${url.hostname}:${url.port || 5432}`);
    return { kind: "external", url: opts.externalUrl, stop: async () => {} };
  }
  const kind = opts.kind ?? "auto";
  const binDir = kind === "pglite" ? undefined : findPostgresBinDir();
  if (kind === "postgres" && !binDir) {
    throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
  }
  if (binDir) {
    const cluster = await startPostgresCluster({ binDir, dataDir: opts.dataDir, port: opts.port, log });
    return { kind: "postgres", url: cluster.url, stop: cluster.stop };
  }
  if (kind === "auto") log("no PostgreSQL binaries found: falling back to embedded PGlite");
  const pglite = await startPgliteServer({ dataDir: opts.dataDir, port: opts.port, log });
  return { kind: "pglite", url: pglite.url, stop: pglite.stop };
}
