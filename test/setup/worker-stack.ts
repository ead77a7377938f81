import { readFileSync } from "node:fs";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { generateIssuerKeys, startLocalIssuer } from "@starter/local-issuer";
import { startLocalNeon, startLocalStack } from "@starter/local-neon";
import { migrateDeploy } from "@starter/prisma-offline";
import pg from "pg";
import type { TestProject } from "vitest/node";

/** Which stack a worker project runs on: its database, and for "hyperdrive" the path too. */
export type WorkerStackDb = "postgres" | "pglite" | "hyperdrive";

/** What the Worker tests get through inject("workerStacks")[db]: plain data about a running stack. */
export interface ProvidedStack {
  /** The Worker's DATABASE_URL: Neon's pooled shape (a `-pooler` host the local Neon maps to PgBouncer). */
  databaseUrl: string;
  /** The same login on the direct endpoint's name (straight to Postgres, as Neon's non-pooled host). */
  directEndpointUrl: string;
  /** What the pooled endpoint goes through: "pgbouncer", or "none" (PGlite, or not installed). */
  pooler: "pgbouncer" | "none";
  /** host:port of the local Neon proxy (the NEON_LOCAL_PROXY binding). */
  neonProxy: string;
  /** The local Neon's HTTP origin, for its counters and fault endpoints (/_local-neon/…). */
  neonAdmin: string;
  /** Which database is under the proxy. */
  db: "postgres" | "pglite" | "external";
  /** The HYPERDRIVE binding's origin (the local Neon's TCP endpoint), for the hyperdrive project. */
  hyperdriveUrl: string;
  /** host:port of a second proxy in front of the same database that refuses every connection
   *  (Neon's "compute unreachable"), for outage tests that must not disturb the other files. */
  downNeonProxy: string;
  /** The same refusing proxy's TCP endpoint, as a Hyperdrive origin. */
  downHyperdriveUrl: string;
  /** A second Postgres schema with the same migrations, for the DATABASE_SCHEMA binding. */
  altSchema: string;
  /** host:port of a listener that accepts and never answers: a WebSocket upgrade that never completes. */
  silentNeonProxy: string;
}

/** What the Worker tests get through inject("issuer"): the run's local identity provider (tools/local-issuer). */
export interface ProvidedIssuer {
  /** http://127.0.0.1:PORT, for its stats, fault and publish endpoints (test/worker/tokens.ts: issuerUrls()). */
  baseUrl: string;
  /** The JWKS_URL binding. */
  jwksUrl: string;
  /** The JWT_ISSUER binding: the issuer's origin. */
  issuer: string;
  /** The JWT_AUDIENCE binding. */
  audience: string;
  /** The issuer's signing keys (in memory, made for this run), one per algorithm. */
  keys: Array<{ alg: "RS256" | "ES256" | "EdDSA"; kid: string; privateJwk: JsonWebKey }>;
}

declare module "vitest" {
  interface ProvidedContext {
    workerStacks: Record<WorkerStackDb, ProvidedStack>;
    workerStackDb: WorkerStackDb;
    issuer: ProvidedIssuer;
  }
}

/** The origin the Worker tests' requests use (test/worker/helpers.ts), as the tokens' audience. */
const TEST_AUDIENCE = "http://worker";

/** One identity provider for the run, with fresh keys: the Worker tests sign real tokens with them. */
async function startIssuer(stops: Array<() => Promise<void>>): Promise<ProvidedIssuer> {
  const keys = await generateIssuerKeys();
  const issuer = await startLocalIssuer({ keys });
  stops.push(() => issuer.stop());
  return {
    baseUrl: issuer.origin,
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: TEST_AUDIENCE,
    keys: keys.map(({ alg, kid, privateJwk }) => ({ alg, kid, privateJwk: privateJwk as JsonWebKey })),
  };
}

/**
 * A fresh database for this run, migrated with Prisma's engine, behind its own local Neon proxy.
 * "postgres" is real PostgreSQL when its binaries are installed (PGlite otherwise); "pglite" is
 * always the embedded fallback, for the smoke project.
 */
async function startStack(database: "auto" | "pglite", stops: Array<() => Promise<void>>): Promise<ProvidedStack> {
  const stack = await startLocalStack({ database });
  stops.push(() => stack.stop());
  // CI installs pgbouncer (.ci/run): there the pooled path must go through it, never around it.
  if (process.env.CI && stack.kind === "postgres" && stack.pooler !== "pgbouncer") {
    throw new Error("CI runs the Worker through PgBouncer, and pgbouncer was not found (apt-get install pgbouncer)");
  }
  await createFixtureTables(stack.directUrl);
  const altSchema = "tenant_alt";
  // The DATABASE_SCHEMA test runs on real PostgreSQL only: PGlite ignores the startup
  // search_path that puts Prisma's own bookkeeping table in the URL's schema.
  if (stack.kind !== "pglite") {
    const withSchema = new URL(stack.directUrl);
    withSchema.searchParams.set("schema", altSchema);
    await migrateDeploy(withSchema.toString());
  }
  const downNeon = await startLocalNeon({ upstream: stack.directUrl, faults: { refuseConnections: true } });
  stops.push(() => downNeon.stop());
  const downHyperdriveUrl = new URL(stack.hyperdriveUrl);
  downHyperdriveUrl.port = String(downNeon.tcp.port);
  return {
    databaseUrl: stack.pooledUrl,
    directEndpointUrl: stack.directEndpointUrl,
    pooler: stack.pooler,
    neonProxy: stack.neonProxy,
    neonAdmin: stack.neon.httpUrl,
    hyperdriveUrl: stack.hyperdriveUrl,
    db: stack.kind,
    downNeonProxy: `${downNeon.host}:${downNeon.port}`,
    downHyperdriveUrl: downHyperdriveUrl.toString(),
    altSchema,
    silentNeonProxy: await startSilentListener(stops),
  };
}

/** A TCP listener that accepts connections and never says a word. */
async function startSilentListener(stops: Array<() => Promise<void>>): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stops.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The machinery fixture's tables (test/worker/fixture/tables.sql), beside the migrated schema. */
async function createFixtureTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(readFileSync(new URL("../worker/fixture/tables.sql", import.meta.url), "utf8"));
  } finally {
    await client.end();
  }
}

/**
 * Starts the stacks once per run (only those the selected projects use), stops them at the end.
 * The hyperdrive project gets a stack of its own, so its counters and faults are its own too.
 */
export default async function setup(project: TestProject) {
  // The stacks the selected projects are bound to (vitest.config.ts provides each its workerStackDb).
  const wanted = new Set(project.vitest.projects.map((p) => p.config.provide?.workerStackDb));
  const stops: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const [postgres, pglite, hyperdrive] = await Promise.all([
      wanted.has("postgres") ? startStack("auto", stops) : undefined,
      wanted.has("pglite") ? startStack("pglite", stops) : undefined,
      wanted.has("hyperdrive") ? startStack("auto", stops) : undefined,
    ]);
    project.provide("workerStacks", { postgres: postgres!, pglite: pglite!, hyperdrive: hyperdrive! });
    if ([...wanted].some(Boolean)) project.provide("issuer", await startIssuer(stops));
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
