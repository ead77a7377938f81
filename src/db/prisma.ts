import { PrismaNeon, PrismaNeonHttp } from "@prisma/adapter-neon";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Bindings, DatabaseNeed, Transport } from "../env";
import { DatabaseConfigError } from "../errors/connection";
import { type Prisma, PrismaClient } from "../generated/prisma/client";
import { type Settings, settingsOf } from "../settings";
import { dispatchBatchesOnMicrotask } from "./batch-dispatch";
import { type ClientLease, forgetIdleClients, leaseClient } from "./client-pool";
import { useLocalNeonProxy } from "./local-neon";
import { openWebSocketsWithFetch } from "./neon-websocket";
import { sharedCompilerOption } from "./shared-compiler";

/**
 * The transport for what a route needs: Hyperdrive whenever it is bound (pooled, transactions,
 * one TCP connection); otherwise Neon's driver, over HTTP for a single statement (one round trip;
 * NEON_STATEMENT_TRANSPORT=ws sends those over WebSocket too) and over WebSocket for an
 * interactive transaction.
 */
export function transportFor(env: Bindings, need: DatabaseNeed): Transport {
  if (env.HYPERDRIVE) return "hyperdrive";
  return need === "transaction" || settingsOf(env).neonStatementTransport === "ws" ? "ws" : "http";
}

/**
 * What a request's code queries: its PrismaClient, or inside an idempotent write the transaction
 * that write runs in. Both have every model, `$queryRaw` and `$transaction` (nested: a savepoint);
 * neither is to be kept beyond the request. withPrisma alone connects and disconnects.
 */
export type Database = Prisma.TransactionClient;

/**
 * Hyperdrive's pool per request. Cloudflare allows 6 simultaneous outbound connections per
 * request; parallel queries in one request open one connection each, up to this many.
 */
const HYPERDRIVE_MAX_CONNECTIONS = 5;

/**
 * A PrismaClient for one request. Never keep it beyond the request: Workers refuse to reuse
 * I/O objects (sockets, pools) across requests.
 *
 * - "hyperdrive": PrismaPg (node-postgres) on the binding's connection string; transactions too.
 * - "ws": PrismaNeon, a Pool over WebSocket; supports interactive transactions.
 * - "http": PrismaNeonHttp, one HTTPS round trip per query; no transactions (Prisma error P2036).
 */
export function createPrismaClient(env: Bindings, transport: Transport): PrismaClient {
  const settings = settingsOf(env);
  const adapter = adapterFor(env, transport, settings.databaseSchema, settings.dbConnectTimeoutMs);
  return clientOver(adapter, transactionLimitsOf(settings));
}

/**
 * An interactive transaction's limits (Prisma's transactionOptions). maxWait is how long
 * $transaction waits for its connection; Prisma's default (2 s) would cut a slow wake-up short. It
 * is also what bounds the wait over WebSocket in workerd: the Pool's timeout only closes the
 * socket, and a close needs an answer from the unreachable side. timeout is how long it may then
 * run, lock waits included, before Prisma rolls it back (a 503, src/errors/handler.ts).
 */
export interface TransactionLimits {
  maxWait: number;
  timeout: number;
}

export const transactionLimitsOf = (settings: Settings): TransactionLimits => ({
  maxWait: settings.dbConnectTimeoutMs,
  timeout: settings.dbTransactionTimeoutMs,
});

const clientOver = (adapter: SqlDriverAdapterFactory, limits: TransactionLimits): PrismaClient =>
  newPrismaClient({ adapter, transactionOptions: limits });

/**
 * The request's PrismaClient, from the isolate's pool (client-pool.ts): the same as
 * createPrismaClient's, built once and reused by one request at a time. Its queries must run
 * inside `run`, and it returns to the pool when its `$disconnect()` resolves (withPrisma does both).
 */
export function leasePrismaClient(env: Bindings, transport: Transport): ClientLease {
  const settings = settingsOf(env);
  const adapter = adapterFor(env, transport, settings.databaseSchema, settings.dbConnectTimeoutMs);
  return leaseOver(adapter, transactionLimitsOf(settings));
}

/** A pooled client over `adapter`, from the pool of clients built with these limits. */
export function leaseOver(adapter: SqlDriverAdapterFactory, limits: TransactionLimits): ClientLease {
  const key = `${limits.maxWait}/${limits.timeout}`;
  return leaseClient(key, adapter, (holder) => clientOver(holder, limits));
}

type ClientOptions = ConstructorParameters<typeof PrismaClient>[0];
let sharingRefused = false;

/**
 * A PrismaClient on the isolate's shared query compiler and plan cache (shared-compiler.ts; the
 * plan cache is there, so the client keeps none of its own), whose batches go out on a microtask
 * (batch-dispatch.ts). A Prisma that refuses `__internal`, accepts it and does not call
 * configOverride, or (checked after the warm-up) loads its compiler without the wasm hook, gets
 * stock clients from then on, plan cache included, with one warning: correct, only slower.
 */
export function newPrismaClient(options: ClientOptions): PrismaClient {
  const prisma = sharedCompilerClient(options) ?? new PrismaClient(options);
  dispatchBatchesOnMicrotask(prisma);
  return prisma;
}

/**
 * The client on the shared compiler, or undefined (sharing refused). `Client` is Prisma's
 * constructor; its test passes one that behaves as a Prisma that ignores the hook.
 */
export function sharedCompilerClient(
  options: ClientOptions,
  Client: new (options: ClientOptions) => PrismaClient = PrismaClient,
): PrismaClient | undefined {
  if (sharingRefused) return undefined;
  let overridden = false;
  const internal = {
    configOverride: <C extends object>(config: C): C => {
      overridden = true;
      return sharedCompilerOption.configOverride(config);
    },
  };
  try {
    // `__internal` is Prisma's testing hook, not in its public types.
    const shared = { ...options, queryPlanCacheMaxSize: 0, __internal: internal };
    const prisma = new Client(shared as unknown as ClientOptions);
    // Prisma calls configOverride in the constructor: not called, not honoured.
    if (overridden) return prisma;
    refuseSharing("Prisma accepted the __internal hook but did not call its configOverride");
  } catch (error) {
    refuseSharing(`Prisma refused the __internal hook: ${error instanceof Error ? error.message : String(error)}`);
  }
  return undefined;
}

/** Sharing on again, for the test that turned it off (tests share one isolate). */
export function allowSharingAgain(): void {
  sharingRefused = false;
}

/**
 * From now on every client is Prisma's own (its own compiler and plan cache), and the idle ones,
 * built for the shared compiler without a cache of their own, are dropped; said once.
 */
export function refuseSharing(why: string): void {
  if (sharingRefused) return;
  sharingRefused = true;
  forgetIdleClients();
  console.warn(
    JSON.stringify({
      level: "warn",
      msg: "the shared query compiler is off: each client builds its own, as stock Prisma does",
      why,
    }),
  );
}

function adapterFor(
  env: Bindings,
  transport: Transport,
  schema: string | undefined,
  timeoutMs: number,
): SqlDriverAdapterFactory {
  if (transport === "hyperdrive") {
    if (!env.HYPERDRIVE)
      throw new Error("The hyperdrive transport needs the HYPERDRIVE binding (wrangler.toml [[hyperdrive]]).");
    // Without connectionTimeoutMillis an unreachable database hangs the request for good.
    const pool = {
      connectionString: env.HYPERDRIVE.connectionString,
      max: HYPERDRIVE_MAX_CONNECTIONS,
      connectionTimeoutMillis: timeoutMs,
    };
    return new PrismaPg(pool, { schema });
  }
  if (!env.DATABASE_URL || !URL.canParse(env.DATABASE_URL)) {
    throw new DatabaseConfigError(
      `DATABASE_URL is ${env.DATABASE_URL ? "not a connection string" : "not set"} ` +
        "(expected postgresql://user:password@host/db, Neon's pooled string)",
    );
  }
  useLocalNeonProxy(env.NEON_LOCAL_PROXY);
  openWebSocketsWithFetch();
  return transport === "ws"
    ? new PrismaNeon({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: timeoutMs }, { schema })
    : withSchema(new PrismaNeonHttp(env.DATABASE_URL, { fetchOptions: abortAfter(timeoutMs) }), schema);
}

/**
 * fetch options whose `signal` times out `ms` after each fetch starts. The driver spreads these
 * options into every fetch it makes, so the getter runs once per query: a plain AbortSignal would
 * start counting when the client is created. Over HTTP one fetch is connect + query, so this
 * bounds both.
 */
function abortAfter(ms: number): RequestInit {
  return {
    get signal() {
      return AbortSignal.timeout(ms);
    },
  };
}

/**
 * PrismaNeonHttp takes no `schema` option (unlike PrismaNeon), and Prisma reads the schema it
 * qualifies table names with from the adapter's getConnectionInfo(). Supply it there.
 */
function withSchema(factory: SqlDriverAdapterFactory, schema: string | undefined): SqlDriverAdapterFactory {
  if (!schema) return factory;
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      // What Prisma assumes of an adapter that reports nothing (its LocalExecutor): no relation joins.
      const info = adapter.getConnectionInfo?.() ?? { supportsRelationJoins: false };
      adapter.getConnectionInfo = () => ({ ...info, schemaName: schema });
      return adapter;
    },
  };
}
