import { PrismaNeonHttp } from "@prisma/adapter-neon";
import { PrismaClient } from "../generated/prisma/client";
// @ts-expect-error untyped wasm-bindgen glue generated next to the wasm; QueryCompilerGlue says what is used
import * as untypedGlue from "../generated/prisma/internal/query_compiler_small_bg.js";

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
  const prisma = new PrismaClient({ adapter: new PrismaNeonHttp("postgresql://warm-up@warm-up.invalid/none", {}) });
  try {
    // Loads the wasm into Prisma's per-isolate cache and points the glue at that instance.
    await prisma.$connect();
    const datamodel = (prisma as unknown as EngineConfigHolder)._engineConfig.inlineSchema;
    const compiler = new glue.QueryCompiler({
      datamodel,
      provider: "postgres",
      connectionInfo: { supportsRelationJoins: true },
    });
    try {
      return compiler.compile(JSON.stringify(WARM_UP_REQUEST));
    } finally {
      compiler.free();
    }
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

/** What this module uses of the glue (Prisma 7.10's generated query_compiler_small_bg.js). */
interface QueryCompilerGlue {
  QueryCompiler: new (options: {
    datamodel: string;
    provider: string;
    connectionInfo: object;
  }) => {
    compile(request: string): unknown;
    free(): void;
  };
}
const glue = untypedGlue as QueryCompilerGlue;

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
