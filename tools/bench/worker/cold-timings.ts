// Where the first query of an isolate spends its time. The bench calls this as the very first
// request of a fresh isolate (a new workerd process), once per mode:
//  - POST /__bench/cold/compiler  (body: schema.prisma) the query compiler alone: instantiate the
//    wasm module, construct a QueryCompiler from the schema (twice: cold, then warm), compile a query;
//  - GET  /__bench/cold/prisma?id=… what a route pays: new PrismaClient, $connect, first query,
//    a second query on the same client, then a second client and its first query (the warm path).
import type { Hono } from "hono";
import { createPrismaClient } from "../../../src/db/prisma";
import type { AppEnv } from "../../../src/env";
import type { PrismaClient } from "../../../src/generated/prisma/client";

/** Milliseconds since `start`. Workers may advance the clock only on I/O; a timer turn is one. */
async function since(start: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return Math.round((performance.now() - start) * 10) / 10;
}

async function lap(timings: Record<string, number>, name: string, step: () => unknown): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const start = performance.now();
  await step();
  timings[name] = await since(start);
}

/**
 * The demo's User model, by name: the bench measures the demo's endpoints, and without the demo
 * (README, "Remove the demo") `npm run bench` stops before any request, saying so. By name, so
 * that the bench still type-checks (npm run typecheck) once the model is gone.
 */
const demoUsers = (prisma: PrismaClient) =>
  (prisma as unknown as Record<"user", { findUnique(args: { where: { id: string } }): Promise<unknown> }>).user;

/** The wasm-bindgen glue Prisma generates next to the wasm (untyped JS). */
interface CompilerModule {
  QueryCompiler: new (options: object) => { compile(request: string): string };
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
}

export function mountColdTimings(app: Hono<AppEnv>): void {
  app.post("/__bench/cold/compiler", async (c) => {
    const datamodel = await c.req.text();
    const t: Record<string, number> = {};
    let runtime!: CompilerModule;
    let wasm!: WebAssembly.Module;
    await lap(t, "importModules", async () => {
      // @ts-expect-error untyped generated JS, described by CompilerModule
      runtime = (await import("../../../src/generated/prisma/internal/query_compiler_small_bg.js")) as CompilerModule;
      wasm = (
        (await import("../../../src/generated/prisma/internal/query_compiler_small_bg.wasm?module")) as {
          default: WebAssembly.Module;
        }
      ).default;
    });
    // What Prisma's loader does once per isolate (it caches the result per provider).
    await lap(t, "instantiateWasm", () => {
      const instance = new WebAssembly.Instance(wasm, {
        "./query_compiler_small_bg.js": runtime as unknown as WebAssembly.ModuleImports,
      });
      runtime.__wbg_set_wasm(instance.exports);
      (instance.exports.__wbindgen_start as () => void)();
    });
    const options = { datamodel, provider: "postgres", connectionInfo: { supportsRelationJoins: true } };
    let compiler!: { compile(request: string): string };
    await lap(t, "newQueryCompiler (1st)", () => {
      compiler = new runtime.QueryCompiler(options);
    });
    await lap(t, "newQueryCompiler (2nd)", () => void new runtime.QueryCompiler(options));
    const query = JSON.stringify({
      modelName: "User",
      action: "findUnique",
      query: { arguments: { where: { id: "x" } }, selection: { $scalars: true } },
    });
    await lap(t, "compile (1st)", () => compiler.compile(query));
    await lap(t, "compile (2nd)", () => compiler.compile(query));
    return c.json(t);
  });

  app.get("/__bench/cold/prisma", async (c) => {
    const id = c.req.query("id") ?? "";
    const transport = c.req.query("transport") === "ws" ? "ws" : "http";
    const t: Record<string, number> = {};
    let prisma!: PrismaClient;
    await lap(t, "newPrismaClient (1st)", () => {
      prisma = createPrismaClient(c.env, transport);
    });
    await lap(t, "$connect (1st)", () => prisma.$connect());
    await lap(t, "query (1st)", () => demoUsers(prisma).findUnique({ where: { id } }));
    await lap(t, "query (2nd, same client)", () => demoUsers(prisma).findUnique({ where: { id } }));
    c.executionCtx.waitUntil(prisma.$disconnect());
    let second!: PrismaClient;
    await lap(t, "newPrismaClient (2nd)", () => {
      second = createPrismaClient(c.env, transport);
    });
    await lap(t, "$connect (2nd)", () => second.$connect());
    await lap(t, "query (2nd client)", () => demoUsers(second).findUnique({ where: { id } }));
    c.executionCtx.waitUntil(second.$disconnect());
    return c.json(t);
  });
}
