import { PrismaNeon, PrismaNeonHttp } from "@prisma/adapter-neon";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Bindings, DatabaseNeed, Transport } from "../env";
import { DatabaseConfigError } from "../errors/connection";
import { type Prisma, PrismaClient } from "../generated/prisma/client";
import { type Settings, settingsOf } from "../settings";
import { useLocalNeonProxy } from "./local-neon";
import { openWebSocketsWithFetch } from "./neon-websocket";

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
 * A PrismaClient for one request, on Prisma's public API alone. Never keep it beyond the request:
 * Workers refuse to reuse I/O objects (sockets, pools) across requests.
 *
 * - "hyperdrive": PrismaPg (node-postgres) on the binding's connection string; transactions too.
 * - "ws": PrismaNeon, a Pool over WebSocket; supports interactive transactions.
 * - "http": PrismaNeonHttp, one HTTPS round trip per query; no transactions (Prisma error P2036).
 */
export function createPrismaClient(env: Bindings, transport: Transport): PrismaClient {
  return new PrismaClient(clientOptionsFor(env, transport));
}

/** What a request's PrismaClient is built with: its adapter and its transactions' limits. */
export interface ClientOptions {
  adapter: SqlDriverAdapterFactory;
  transactionOptions: TransactionLimits;
}

export function clientOptionsFor(env: Bindings, transport: Transport): ClientOptions {
  const settings = settingsOf(env);
  const adapter = adapterFor(env, transport, settings.databaseSchema, settings.dbConnectTimeoutMs);
  return { adapter, transactionOptions: transactionLimitsOf(settings) };
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

/** A request's client, and the scope its queries must run in (withPrisma runs the request there). */
export interface ClientLease {
  prisma: PrismaClient;
  /** Runs the holder's work inside the lease: a pooled client refuses queries from anywhere else. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Where requests' clients come from. */
export interface ClientSource {
  lease(options: ClientOptions): ClientLease;
}

/** Stock Prisma: a new client per request. */
const stockClients: ClientSource = {
  lease: (options) => ({ prisma: new PrismaClient(options), run: (work) => work() }),
};
let clients: ClientSource = stockClients;

/**
 * Where leasePrismaClient gets clients: stock Prisma, unless the speed layer (src/db/speed)
 * plugged its own in at startup; undefined puts stock back.
 */
export function useClientSource(source: ClientSource | undefined): void {
  clients = source ?? stockClients;
}

/** The request's PrismaClient (withPrisma takes it, runs the request in `run`, disconnects it). */
export function leasePrismaClient(env: Bindings, transport: Transport): ClientLease {
  return clients.lease(clientOptionsFor(env, transport));
}

/** A client from the current source, on any options (the speed layer's warm-up passes its own adapter). */
export const leaseClientWith = (options: ClientOptions): ClientLease => clients.lease(options);

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
