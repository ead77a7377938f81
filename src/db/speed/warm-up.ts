import { PrismaNeonHttp } from "@prisma/adapter-neon";
import type { ConnectionInfo, SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Bindings } from "../../env";
import { Prisma } from "../../generated/prisma/client";
import { type Settings, settingsOf } from "../../settings";
import { type Database, leaseClientWith, transactionLimitsOf } from "../prisma";
import { SharedQueryCompiler } from "./shared-compiler";

/**
 * Builds Prisma's query compilers, plans a few queries and runs them through a client (which
 * then waits in the pool for the first request) while the isolate starts (src/index.ts awaits
 * it at module scope, through installSpeedLayer). The compiler is wasm that V8 compiles function by function on first
 * use, so otherwise the first request of every isolate pays ~30 ms for its first compiler and plan.
 * The trade: a first request that arrives after startup is faster, one that waits for startup slower
 * (docs/PERFORMANCE.md, "Cold start"). Cloudflare starts an isolate during the TLS handshake, so
 * the first case is the one it aims for.
 *
 * Allowed at module scope because it does no I/O and leaves no timer: `$connect` loads the wasm and
 * builds a compiler from the schema but dials nothing (answeringNothing's URL is never used),
 * planning a query is pure computation, and the client's adapter answers its reads, writes and one
 * transaction without sending them. The transaction also plans the routes' own transactions'
 * queries (`startupQueries`, from src/app.ts), which takes most of the rest off an isolate's first
 * move (docs/PERFORMANCE.md, "Design decisions").
 * Its timers are answered without the runtime (withModuleScopeTimers).
 * Resolves to what it planned and ran, which nothing needs but tests.
 */
export async function warmUpQueryCompiler(
  startupQueries: StartupQueries[] = [],
  env: Bindings = {} as Bindings,
): Promise<WarmUpOutcome> {
  // On the shared compiler (shared-compiler.ts): the first client to load the wasm decides the
  // compiler class for the isolate, and the compilers built here are the ones requests then use.
  // The client is a pooled one (client-pool.ts): the isolate's first request then takes it, built
  // and warm, instead of building its own. Both are keyed by the isolate's settings (src/index.ts
  // passes its env): the compilers by the schema the adapters report, the pool by the limits.
  const settings = settingsOrDefaults(env);
  const statements: string[] = [];
  const limits = transactionLimitsOf(settings);
  const http = leaseClientWith({
    adapter: answeringNothing(statements, connectionInfo(settings, false)),
    transactionOptions: limits,
  });
  const plans = await http.run(async () => {
    const { prisma } = http;
    try {
      // Loads the wasm and builds the compiler the HTTP adapter's clients share.
      await prisma.$connect();
      const internals = prisma as unknown as EngineConfigHolder;
      const datamodel = internals._engineConfig.inlineSchema;
      // And the one the WebSocket and Hyperdrive adapters' clients share (they support relation
      // joins), planning on it. The plans are not the routes' own (those differ in their arguments);
      // what they warm is the planner's wasm code, which every later plan runs through.
      const requests = warmUpRequests(internals._runtimeDataModel);
      const compiler = settings.prismaSpeedLayer.has("shared-compiler")
        ? relationJoinCompiler(datamodel, settings)
        : undefined;
      const planned = compiler ? requests.map((request) => compiler.compile(JSON.stringify(request))) : [];
      // The same reads, and writes, through the client, on the adapter below: Prisma's JavaScript
      // (serializing, parameterizing, interpreting the plan) runs once here instead of in the first
      // request. Actions that Prisma does not batch, so no timer is set (findUnique would set one:
      // it runs in the transaction below).
      await runThrough(prisma, [...requests, ...warmUpWrites(internals._runtimeDataModel)]);
      return planned;
    } finally {
      await prisma.$disconnect();
    }
  });
  // The same client again, connected as the WebSocket and Hyperdrive adapters connect (the shape
  // that transactions run on): an interactive transaction, as the move and keyed writes run,
  // with reads by key (batched by Prisma's dataloader) and writes, committed; then the routes'
  // own queries (`startupQueries`), whose plans the first request then finds cached. Planning
  // those was most of what a first move cost beyond raw SQL (docs/PERFORMANCE.md, "Design decisions").
  const joined = leaseClientWith({
    adapter: answeringNothing(statements, connectionInfo(settings, true)),
    transactionOptions: limits,
  });
  await joined.run(async () => {
    const { prisma } = joined;
    try {
      const model = (prisma as unknown as EngineConfigHolder)._runtimeDataModel;
      const generic = [...warmUpKeyReads(model), ...warmUpWrites(model)];
      await withModuleScopeTimers(() =>
        prisma.$transaction(async (tx) => {
          await runThrough(tx, generic);
          for (const queries of startupQueries) {
            for (const query of queries(tx)) await query().catch(acceptPrismaRefusal);
          }
        }),
      );
    } finally {
      await prisma.$disconnect();
    }
  });
  return { plans, statements };
}

/** The shared compiler of the WebSocket and Hyperdrive adapters' clients (they report relation joins). */
const relationJoinCompiler = (datamodel: string, settings: Settings) =>
  new SharedQueryCompiler({ datamodel, provider: "postgres", connectionInfo: connectionInfo(settings, true) });

/**
 * A route's own Prisma calls, each with placeholder values, for the warm-up to plan at startup:
 * Prisma plans a query per shape (its arguments with the values left out), so a shape first
 * planned in a request costs that request ~1–5 ms of wasm per query. Build the route's calls and
 * these from the same functions (src/services/posts.ts), so that they cannot drift apart, and
 * give each value of a query its own placeholder: Prisma makes equal values one parameter, which
 * is another shape. They run in a transaction on an adapter that answers without rows or I/O
 * (an update finds nothing). test/worker/demo/posts.test.ts checks the move's.
 */
export type StartupQueries = (tx: Database) => Array<() => Promise<unknown>>;

/**
 * What the adapters report, which keys their compiler: WebSocket's and Hyperdrive's support
 * relation joins, HTTP's does not; each names the schema, if DATABASE_SCHEMA sets one (prisma.ts).
 */
const connectionInfo = (settings: Settings, supportsRelationJoins: boolean): ConnectionInfo => ({
  schemaName: settings.databaseSchema,
  supportsRelationJoins,
});

/** The env's settings; should they be invalid (every request then answers so), the defaults. */
export function settingsOrDefaults(env: Bindings): Settings {
  try {
    return settingsOf(env);
  } catch {
    return settingsOf({} as Bindings);
  }
}

/** Runs each request through `client`'s model delegates, accepting Prisma's own refusals. */
async function runThrough(client: object, requests: WarmUpRequest[]): Promise<void> {
  const delegates = client as Record<string, Record<string, (args: object) => Promise<unknown>>>;
  for (const { modelName, action, query } of requests) {
    const model = delegates[modelName.charAt(0).toLowerCase() + modelName.slice(1)];
    // A write that finds no row (the adapter returns none) rejects with Prisma's own error, as
    // does one whose placeholder data the schema refuses; it has run Prisma's code either way.
    await model?.[action]?.(query.arguments).catch(acceptPrismaRefusal);
  }
}

/**
 * Runs `work` (the warm-up's transaction) with the timers and random ids Prisma's interactive
 * transactions ask for answered without the runtime, which refuses both at module scope: a 0 ms
 * timer (the dataloader's batch) runs as a microtask, a longer one (maxWait, the timeout) never
 * fires, and randomUUID (the transaction's id) returns a constant. Only while the isolate starts,
 * when no request runs; restored after.
 */
async function withModuleScopeTimers<T>(work: () => Promise<T>): Promise<T> {
  const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;
  const never = Object.freeze({});
  globalThis.setTimeout = ((run: () => void, ms?: number) => {
    if (!ms) queueMicrotask(run);
    return never;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle: unknown) => {
    if (handle !== never) realClearTimeout(handle as number);
  }) as typeof clearTimeout;
  Object.defineProperty(crypto, "randomUUID", {
    value: () => "00000000-0000-4000-8000-000000000000",
    configurable: true,
    writable: true,
  });
  try {
    return await work();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    delete (crypto as { randomUUID?: unknown }).randomUUID;
  }
}

/**
 * An adapter with every query answered by no rows, sending nothing: it connects as the real
 * adapters do (HTTP's `{ supportsRelationJoins: false }`, WebSocket's and Hyperdrive's `true`), so
 * its clients plan on their shared compiler, and no I/O happens. Neon's HTTP adapter underneath
 * supplies the rest (its URL is never dialled).
 */
function answeringNothing(statements: string[], connectionInfo: ConnectionInfo): SqlDriverAdapterFactory {
  const factory = new PrismaNeonHttp("postgresql://warm-up@warm-up.invalid/none", {});
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const real = await factory.connect();
      const nothing = async ({ sql }: { sql: string }) => {
        statements.push(sql);
        return { columnNames: [], columnTypes: [], rows: [] };
      };
      const noRowsChanged = async ({ sql }: { sql: string }) => {
        statements.push(sql);
        return 0;
      };
      return {
        provider: real.provider,
        adapterName: real.adapterName,
        queryRaw: nothing,
        executeRaw: noRowsChanged,
        executeScript: async () => {},
        // Its transaction answers the same way; Prisma sends COMMIT through executeRaw.
        startTransaction: async () => {
          statements.push("BEGIN");
          return {
            provider: real.provider,
            adapterName: real.adapterName,
            options: { usePhantomQuery: false },
            queryRaw: nothing,
            executeRaw: noRowsChanged,
            commit: async () => {},
            rollback: async () => {},
          };
        },
        getConnectionInfo: () => connectionInfo,
        dispose: () => real.dispose(),
      };
    },
  };
}

/**
 * Accepts Prisma's error for a request it ran or refused (no row found, placeholder data refused);
 * rethrows anything else (the runtime's, say a timer refused at module scope).
 */
function acceptPrismaRefusal(error: unknown): void {
  if (error instanceof Prisma.PrismaClientKnownRequestError || error instanceof Prisma.PrismaClientValidationError) {
    return;
  }
  throw error;
}

/** What the warm-up did, for tests: its plans, and the statements its client handed the adapter. */
export interface WarmUpOutcome {
  plans: unknown[];
  statements: string[];
}

/** The client's internals the warm-up reads: the schema its compilers are built from, its models. */
interface EngineConfigHolder {
  _engineConfig: { inlineSchema: string };
  _runtimeDataModel: RuntimeDataModel;
}

/**
 * What the warm-up plans, in Prisma's JSON protocol (what a client hands its compiler), for every
 * model in the schema, so nothing here names one: a row by its first scalar field (usually the
 * id; a filtered read is what most routes plan first) and a page of rows. Planning more shapes on
 * this compiler gained little on a read route's first request; writes run through the client
 * instead (warmUpWrites). Both measured: docs/PERFORMANCE.md, "Design decisions".
 */
export function warmUpRequests(dataModel: RuntimeDataModel): WarmUpRequest[] {
  const selection = { $scalars: true, $composites: true };
  return Object.entries(dataModel.models).flatMap(([modelName, model]) => {
    const key = model.fields.find((f) => f.kind === "scalar" && f.type in PLACEHOLDER);
    const where = key ? { [key.name]: PLACEHOLDER[key.type] } : {};
    return [
      { modelName, action: "findFirst", query: { arguments: { where }, selection } },
      { modelName, action: "findMany", query: { arguments: { take: 21 }, selection } },
    ] satisfies WarmUpRequest[];
  });
}

/**
 * The writes the warm-up runs through its client (not planned on the relation-join compiler), per
 * model: an update of a row by its key, the same as an updateMany, and a create, with placeholder
 * values for the model's plain fields. Write routes plan and interpret other code than reads
 * (docs/PERFORMANCE.md, "Design decisions"). These are client calls, not the JSON protocol: a model
 * whose key is compound refuses the update, and one with a required field of another type the create.
 */
export function warmUpWrites(dataModel: RuntimeDataModel): WarmUpRequest[] {
  const selection = { $scalars: true, $composites: true };
  return Object.entries(dataModel.models).flatMap(([modelName, model]) => {
    const fields = model.fields.filter((f) => f.kind === "scalar" && f.type in WRITE_PLACEHOLDER);
    const [key, ...rest] = fields;
    if (!key) return [];
    const valuesOf = (of: typeof fields) => Object.fromEntries(of.map((f) => [f.name, WRITE_PLACEHOLDER[f.type]]));
    const update = { where: valuesOf([key]), data: valuesOf(rest) };
    return [
      { modelName, action: "update", query: { arguments: update, selection } },
      { modelName, action: "updateMany", query: { arguments: update, selection } },
      { modelName, action: "create", query: { arguments: { data: valuesOf(fields) }, selection } },
    ] satisfies WarmUpRequest[];
  });
}

/** Per model, a findUnique by its key (what Prisma's dataloader batches, on a timer). */
export function warmUpKeyReads(dataModel: RuntimeDataModel): WarmUpRequest[] {
  return warmUpWrites(dataModel)
    .filter((write) => write.action === "update")
    .map(({ modelName, query }) => ({
      modelName,
      action: "findUnique",
      query: { ...query, arguments: { where: (query.arguments as { where: object }).where } },
    }));
}

/** A read or write: the compiler takes it in Prisma's JSON protocol, the client its arguments. */
interface WarmUpRequest {
  modelName: string;
  action: "findFirst" | "findMany" | "findUnique" | "update" | "updateMany" | "create";
  query: { arguments: object; selection: object };
}

/** A value of each scalar type in Prisma's JSON protocol (planning replaces it with a placeholder). */
const PLACEHOLDER: Record<string, unknown> = { String: "", Int: 0, Float: 0, Boolean: false };

/** A value of each scalar type, as the client takes it. */
const WRITE_PLACEHOLDER: Record<string, unknown> = { ...PLACEHOLDER, DateTime: new Date(0), Json: {} };

/** Prisma's runtime data model, as far as the warm-up reads it (the client keeps it as _runtimeDataModel). */
interface RuntimeDataModel {
  models: Record<string, { fields: Array<{ name: string; kind: string; type: string }> }>;
}
