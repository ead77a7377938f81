// The one local stack: a database (PostgreSQL, or embedded PGlite), migrated with Prisma's
// engine, behind its own local Neon. `npm run dev`, `npm run neon:local`, the tests' global
// setup, the bench and the reliability runners all start it here; serveWorker() (worker.ts)
// then serves the Worker against it.

import { join } from "node:path";
import {
  findPgbouncer,
  type LocalPostgres,
  type LocalPostgresKind,
  type Pooler,
  PortInUseError,
  startLocalPostgres,
  startPgbouncer,
} from "@starter/local-postgres";
import { migrateDeploy, redactUrl } from "@starter/prisma-offline";
import { LOCAL_ENDPOINT_NAMES, type LocalNeon, type LocalNeonFaults, startLocalNeon } from "./proxy/local-neon.js";
import type { RequestGuardOptions } from "./proxy/request-guard.js";

export { DEV_DATA_ROOT } from "@starter/local-postgres";
/** Their database's port, stable so a DIRECT_URL for it can live in .env (LOCAL_DB_PORT overrides). */
export const DEV_DATABASE_PORT = Number(process.env.LOCAL_DB_PORT ?? 54329);

export interface LocalStackOptions {
  /** "auto" (default): PostgreSQL if its server binaries are installed, else PGlite. */
  database?: "auto" | "postgres" | "pglite";
  /** Put this running Postgres behind the proxy instead of starting one. */
  upstream?: string;
  /** Keep the data here between runs; omitted → a throwaway database removed on stop(). */
  dataDir?: string;
  /** Keep the data under <dataRoot>/postgres or <dataRoot>/pglite, whichever kind starts. */
  dataRoot?: string;
  /** The database's port: 0/omitted → a free one; a taken one is refused, never swapped. */
  databasePort?: number;
  /** The local Neon's address: 127.0.0.1 and a free port unless given. */
  neonHost?: string;
  neonPort?: number;
  /** More host:port upstreams the proxy may forward to. */
  allow?: string[];
  faults?: Partial<LocalNeonFaults>;
  /** Origins and Host names let through the local Neon's request guard (default: none). */
  guard?: RequestGuardOptions;
  /** Put PgBouncer (transaction mode) behind the `-pooler` endpoint when it is installed (default true). */
  pooler?: boolean;
  /** Apply prisma/migrations (default true). */
  migrate?: boolean;
  /** Runs after the migrations with the direct URL (e.g. the app's seed). */
  seed?: (directUrl: string) => Promise<void>;
  /** One line per step; default silent. */
  log?: (line: string) => void;
}

/** A running local stack. */
export interface LocalStack {
  kind: LocalPostgresKind;
  /** The database's own URL (127.0.0.1): Node scripts' DIRECT_URL, migrations, checks from tests. */
  directUrl: string;
  /**
   * The Worker's DATABASE_URL, shaped as Neon's pooled string: host LOCAL_ENDPOINT_NAMES.pooled, no
   * port. The local Neon maps that name to PgBouncer (or to the database when there is none).
   */
  pooledUrl: string;
  /** The same login on the direct endpoint's name (LOCAL_ENDPOINT_NAMES.direct): Postgres itself. */
  directEndpointUrl: string;
  /** What is behind the pooled endpoint: a real PgBouncer, or nothing (PGlite, or none installed). */
  pooler: "pgbouncer" | "none";
  /** PgBouncer's own URL (127.0.0.1), for Node-side checks of the pooled path; absent without one. */
  poolerUrl?: string;
  neon: LocalNeon;
  /** host:port of the local Neon: the Worker's NEON_LOCAL_PROXY binding. */
  neonProxy: string;
  /**
   * The origin of a local HYPERDRIVE binding (its localConnectionString): the database's
   * credentials at the local Neon's TCP endpoint, so counters and faults apply to it too.
   */
  hyperdriveUrl: string;
  /** Migrations this start applied (empty when the data was already up to date, or migrate: false). */
  applied: string[];
  /** What the Worker is bound to so that it reaches this database through this Neon. */
  workerBindings: { DATABASE_URL: string; NEON_LOCAL_PROXY: string };
  /**
   * Stops PgBouncer and starts it again on its port, as a pooler restart does: every pooled
   * connection is cut, client and server side; new ones work once it listens. No-op without one.
   */
  restartPooler(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? (() => {});
  const database = await startLocalPostgres({
    kind: opts.database ?? "auto",
    externalUrl: opts.upstream,
    dataDir: opts.dataDir,
    dataRoot: opts.dataRoot,
    port: opts.databasePort,
    log,
  }).catch((error: unknown) => {
    if (!(error instanceof PortInUseError)) throw error;
    throw new Error(`${error.message}: stop it, or set LOCAL_DB_PORT to a free port (and DIRECT_URL in .env to match)`);
  });
  const stops: Array<() => Promise<void>> = [() => database.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    log(`database ready: ${database.kind} at ${redactUrl(database.url)}`);
    const { applied } = opts.migrate === false ? { applied: [] } : await migrateDeploy(database.url);
    if (opts.migrate !== false)
      log(applied.length ? `applied ${applied.length} migration(s)` : "migrations already applied");
    await opts.seed?.(database.url);
    let pgbouncer = await startPooler(opts, database, log);
    stops.push(async () => pgbouncer?.stop());
    const neon = await startLocalNeon({
      upstream: database.url,
      host: opts.neonHost,
      port: opts.neonPort,
      allow: opts.allow,
      pooler: pgbouncer?.address,
      faults: opts.faults,
      guard: opts.guard,
      // PGlite is one session shared by every client: a pooled connection's reset would reach all.
      poolHttpConnections: database.kind !== "pglite",
      log,
    });
    stops.push(() => neon.stop());
    const neonProxy = `${hostForUrl(neon.host)}:${neon.port}`;
    const hyperdriveUrl = new URL(database.url);
    hyperdriveUrl.host = `${hostForUrl(neon.tcp.host)}:${neon.tcp.port}`;
    log(`local Neon on ${neonProxy}`);
    const pooledUrl = onEndpoint(database.url, LOCAL_ENDPOINT_NAMES.pooled);
    return {
      kind: database.kind,
      directUrl: database.url,
      pooledUrl,
      directEndpointUrl: onEndpoint(database.url, LOCAL_ENDPOINT_NAMES.direct),
      pooler: pgbouncer ? "pgbouncer" : "none",
      poolerUrl: pgbouncer?.url,
      neon,
      neonProxy,
      hyperdriveUrl: hyperdriveUrl.toString(),
      applied,
      workerBindings: { DATABASE_URL: pooledUrl, NEON_LOCAL_PROXY: neonProxy },
      async restartPooler() {
        if (!pgbouncer) return;
        const { port } = pgbouncer.address;
        await pgbouncer.stop();
        pgbouncer = await startPooler(opts, database, log, port);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const hostForUrl = (host: string) => (host.includes(":") ? `[${host}]` : host);

/** The database URL's login on one of the local Neon's endpoint names, port-less as Neon's are. */
function onEndpoint(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.hostname = name;
  url.port = "";
  return url.toString().replace(/^postgres:/, "postgresql:");
}

/**
 * PgBouncer in front of a real Postgres, when installed. PGlite is one session shared by all
 * clients, so there is nothing to pool; an external upstream is the user's own setup.
 */
async function startPooler(
  opts: LocalStackOptions,
  { kind, url, dir }: LocalPostgres,
  log: (line: string) => void,
  port?: number,
): Promise<Pooler | undefined> {
  if (opts.pooler === false || kind === "external") return undefined;
  const binary = kind === "postgres" ? findPgbouncer() : undefined;
  if (!binary) {
    log(
      kind === "pglite"
        ? "no PgBouncer with PGlite: the -pooler endpoint goes straight to the database"
        : "pgbouncer not installed (apt-get install pgbouncer): the -pooler endpoint goes straight to Postgres",
    );
    return undefined;
  }
  // Beside the cluster's data: a PgBouncer a killed run left running is found there and stopped.
  return startPgbouncer({ upstreamUrl: url, binary, port, dir: dir && join(dir, "pgbouncer"), log });
}
