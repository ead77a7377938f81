import { PrismaNeonHttp } from "@prisma/adapter-neon";
import { newPrismaClient } from "./prisma";
import { SharedQueryCompiler } from "./shared-compiler";

/**
 * Builds Prisma's query compiler and plans one query while the isolate starts (src/index.ts awaits
 * this at module scope). The compiler is wasm that V8 compiles function by function on first use,
 * so otherwise the first request of every isolate pays for that: ~20 ms for its first compiler,
 * ~30 ms more for its first plan. Measured in workerd (docs/PERFORMANCE.md, "Cold start"): a first
 * request that arrives after startup is ~45 ms faster; one that has to wait for startup is ~25 ms
 * slower, as startup does the same work plus a throwaway client. Cloudflare starts an isolate
 * during the TLS handshake, so the first case is the one it aims for.
 *
 * Allowed at module scope because it does no I/O and sets no timer: `$connect` loads the wasm and
 * builds a compiler from the schema but dials nothing (the URL below is never used), and planning
 * a query is pure computation. Resolves to the plan, which nothing needs but tests.
 */
export async function warmUpQueryCompiler(): Promise<unknown> {
  // On the shared compiler (shared-compiler.ts): the first client to load the wasm decides the
  // compiler class for the isolate, and the compilers built here are the ones requests then use.
  const prisma = newPrismaClient({ adapter: new PrismaNeonHttp("postgresql://warm-up@warm-up.invalid/none", {}) });
  try {
    // Loads the wasm and builds the compiler the HTTP adapter's clients share.
    await prisma.$connect();
    const datamodel = (prisma as unknown as EngineConfigHolder)._engineConfig.inlineSchema;
    // And the one the WebSocket and Hyperdrive adapters' clients share (they support relation
    // joins), planning one query on it.
    const compiler = new SharedQueryCompiler({
      datamodel,
      provider: "postgres",
      connectionInfo: { supportsRelationJoins: true },
    });
    return compiler.compile(JSON.stringify(WARM_UP_REQUEST));
  } finally {
    await prisma.$disconnect();
  }
}

/** The warm-up for an entry module: a failure only costs the first request its head start. */
export async function warmUpQueryCompilerOrWarn(): Promise<void> {
  try {
    await warmUpQueryCompiler();
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    console.warn(JSON.stringify({ level: "warn", msg: "query compiler warm-up failed", error: { name, message } }));
  }
}

/** The client's internal engine config, where Prisma keeps the schema its compilers are built from. */
interface EngineConfigHolder {
  _engineConfig: { inlineSchema: string };
}

/**
 * A read by key in Prisma's JSON protocol (what the client hands its compiler). One plan warms the
 * planner's common paths: planning three more shapes (a filtered page, a create, an update) at
 * startup gained ~9 ms more on the first request and cost as much again at startup.
 */
const WARM_UP_REQUEST = {
  modelName: "User",
  action: "findUnique",
  query: {
    arguments: { where: { id: "00000000-0000-0000-0000-000000000000" } },
    selection: { $scalars: true, $composites: true },
  },
};
