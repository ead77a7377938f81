/**
 * One query compiler per connection shape per isolate, and one bounded plan cache, shared by
 * every request's PrismaClient.
 *
 * Why: Prisma 7 builds a new wasm QueryCompiler (~4 ms) and a new, empty plan cache for every
 * PrismaClient, and a client serves one request at a time (Workers refuse to share I/O objects
 * across requests; client-pool.ts reuses the clients themselves, one request after another). So
 * without this no request reused a plan. Compilers and plans are pure computation with no I/O, so
 * sharing them across requests is allowed; adapters and sockets stay per request. (One isolate-wide PrismaClient is not: Prisma's dataloader runs one
 * request's queries in another request's timer: docs/PERFORMANCE.md, "Design decisions".)
 *
 * How: Prisma 7.10 has no public option for this. Its testing hook `__internal.configOverride`
 * lets a client replace `compilerWasm.getRuntime`, which returns the wasm glue; ours returns
 * Prisma's own glue (whichever compilerBuild generated it) with `QueryCompiler` swapped for
 * SharedQueryCompiler below. The first client in an isolate to load the wasm decides which class
 * every later client gets, so every client passes it (sharedCompilerClient below, and the warm-up).
 * test/worker/speed/shared-compiler.test.ts counts the compilers built; if the hook is refused at
 * run time, clients fall back to Prisma's own behaviour (refuseSharing).
 */
import { PrismaClient } from "../../generated/prisma/client";
import type { ClientOptions } from "../prisma";
import { forgetIdleClients } from "./client-pool";

/** Plans kept per isolate (Prisma's own per-client default is 1000). */
const MAX_PLANS = 1000;

interface CompilerOptions {
  datamodel: string;
  provider: string;
  connectionInfo: object;
}

interface RealCompiler {
  compile(request: string): unknown;
  compileBatch(request: string): unknown;
  free(): void;
}

/** What we use of Prisma's wasm glue module (Prisma 7.10's query_compiler_{small,fast}_bg.js). */
interface QueryCompilerGlue {
  QueryCompiler: new (options: CompilerOptions) => RealCompiler;
}
/** Prisma's own QueryCompiler class, from the glue its getRuntime loaded (set before any client compiles). */
let RealQueryCompiler: QueryCompilerGlue["QueryCompiler"] | undefined;

/**
 * Compilers by schema, then by provider and connection info; each with a short id that keys its
 * plans. The schema (several KiB) is its own key because it is the same string for every client:
 * V8 keeps its hash, where a key that joined it to the rest would be a new string to hash each time.
 */
const compilers = new Map<string, Map<string, { compiler: RealCompiler; id: number }>>();
const plans = new Map<string, unknown>();
const counts = { compilersBuilt: 0, planHits: 0, planMisses: 0 };

/** A bounded LRU lookup: a hit moves to the back, a miss computes, stores and evicts the oldest. */
function memoized(key: string, compute: () => unknown): unknown {
  const hit = plans.get(key);
  if (hit !== undefined) {
    plans.delete(key);
    plans.set(key, hit);
    counts.planHits++;
    return hit;
  }
  counts.planMisses++;
  const plan = compute();
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string);
  plans.set(key, plan);
  return plan;
}

/**
 * Stands in for Prisma's QueryCompiler: same constructor and methods, backed by the isolate's
 * real compiler for this (provider, connection info, schema). `free()` frees nothing: the
 * compiler outlives the client. Plans are keyed by the compiler and Prisma's parameterized request
 * (values are placeholders), except createMany, whose request carries its rows: Prisma does not
 * cache those either.
 */
export class SharedQueryCompiler {
  readonly #compiler: RealCompiler;
  readonly #key: string;

  constructor(options: CompilerOptions) {
    let bySchema = compilers.get(options.datamodel);
    if (!bySchema) {
      bySchema = new Map();
      compilers.set(options.datamodel, bySchema);
    }
    // Keys sorted and undefined left out: adapters report the same info in different orders.
    const info = options.connectionInfo as Record<string, unknown>;
    const shape = `${options.provider}|${JSON.stringify(info, Object.keys(info).sort())}`;
    let entry = bySchema.get(shape);
    if (!entry) {
      if (!RealQueryCompiler) throw new Error("SharedQueryCompiler: Prisma's query compiler wasm is not loaded yet");
      entry = { compiler: new RealQueryCompiler(options), id: counts.compilersBuilt++ };
      bySchema.set(shape, entry);
    }
    this.#compiler = entry.compiler;
    this.#key = String(entry.id);
  }

  compile(request: string): unknown {
    return this.#plan("single", request, () => this.#compiler.compile(request));
  }

  compileBatch(request: string): unknown {
    return this.#plan("batch", request, () => this.#compiler.compileBatch(request));
  }

  #plan(kind: string, request: string, compile: () => unknown): unknown {
    if (request.includes('"action":"createMany')) return compile();
    return memoized(`${this.#key}|${kind}|${request}`, compile);
  }

  free(): void {}
}

/** Prisma's glue with QueryCompiler swapped, one per glue module (Prisma loads it once per isolate). */
const sharedGlues = new WeakMap<object, object>();
function withSharedCompiler(glue: QueryCompilerGlue): object {
  let shared = sharedGlues.get(glue);
  if (!shared) {
    RealQueryCompiler = glue.QueryCompiler;
    shared = { ...glue, QueryCompiler: SharedQueryCompiler };
    sharedGlues.set(glue, shared);
  }
  return shared;
}

/** Prisma's client config, as far as the override touches it. */
interface ClientConfig {
  compilerWasm?: { getRuntime: () => Promise<unknown> };
  parameterizationSchema?: { strings: unknown; graph: unknown };
}

/**
 * Every PrismaClient decodes Prisma's parameterization graph (base64url, through Prisma's own
 * Buffer polyfill, one array element per byte) when it is built: ~0.25 ms and much garbage per
 * request in workerd's profile. Its decoder takes `Buffer.from(graph)` of whatever `graph` is, and
 * for a DataView that is a view of the same bytes, so the isolate decodes the string once.
 */
const decodedSchemas = new WeakMap<object, object>();
function decodedOnce<S extends { graph: unknown }>(schema: S): S {
  if (typeof schema.graph !== "string") return schema;
  let decoded = decodedSchemas.get(schema);
  if (!decoded) {
    const base64 = schema.graph.replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    decoded = { ...schema, graph: new DataView(bytes.buffer) };
    decodedSchemas.set(schema, decoded);
  }
  return decoded as S;
}

/** The `__internal` option every PrismaClient of this Worker is built with. */
export const sharedCompilerOption = {
  configOverride: <C extends ClientConfig>(config: C): C => {
    const wasm = config.compilerWasm;
    if (!wasm) return config;
    const getRuntime = async () => withSharedCompiler((await wasm.getRuntime()) as QueryCompilerGlue);
    const schema = config.parameterizationSchema;
    return {
      ...config,
      compilerWasm: { ...wasm, getRuntime },
      ...(schema ? { parameterizationSchema: decodedOnce(schema) } : {}),
    };
  },
};

/** How many compilers were built and how plans were found: for tests and the bench. */
export function sharedCompilerCounts(): Readonly<typeof counts> & { plans: number } {
  return { ...counts, plans: plans.size };
}

/** Empties the plan cache, keeping the compilers: tests start from an isolate's first plans this way. */
export function forgetPlans(): void {
  plans.clear();
}

let sharingRefused = false;

/**
 * A PrismaClient on the isolate's shared compiler and plan cache (so it keeps no cache of its own),
 * or undefined once sharing is refused: a Prisma that refuses `__internal`, accepts it and does not
 * call configOverride, or (checked after the warm-up) loads its compiler without the wasm hook.
 * `Client` is Prisma's constructor; its test passes one that behaves as a Prisma that ignores the hook.
 */
export function sharedCompilerClient(
  options: ClientOptions,
  Client: new (options: ClientOptions) => PrismaClient = PrismaClient,
): PrismaClient | undefined {
  if (sharingRefused) return undefined;
  let overridden = false;
  const internal = {
    configOverride: <C extends ClientConfig>(config: C): C => {
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
