// The contract between the speed layer (src/db: shared-compiler, client-pool, batch-dispatch,
// warm-up) and Prisma: every Prisma internal it touches, checked on a real client of the installed
// Prisma. After a Prisma upgrade this fails first, with one line per internal that moved, naming
// the file that uses it and what to do. The layer itself falls back to stock Prisma at run time
// (shared-compiler-fallback.test.ts); this says why, before anyone deploys.

import { env } from "cloudflare:workers";
import { PrismaNeonHttp } from "@prisma/adapter-neon";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { PrismaClient } from "../../src/generated/prisma/client";

type Bag = Record<string, unknown>;
const isFunction = (value: unknown) => typeof value === "function";
const at = (value: unknown, ...path: string[]) =>
  path.reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Bag)[key] : undefined), value);

/** What to do when an internal moved: port the part that uses it, or delete that part (it is optional). */
const todo = (file: string, part: string) =>
  `${file}: port it to this Prisma, or delete ${part} (the app works without it, slower)`;

/** Every internal the layer relies on, with who relies on it. */
async function contractProblems(Client: typeof PrismaClient): Promise<string[]> {
  let config: Bag | undefined;
  const options = {
    adapter: new PrismaNeonHttp((env as Bindings).DATABASE_URL!, {}),
    __internal: {
      configOverride: (c: Bag) => {
        config = c;
        return c;
      },
    },
  };
  const problems: string[] = [];
  let prisma: PrismaClient;
  try {
    prisma = new Client(options as unknown as ConstructorParameters<typeof PrismaClient>[0]);
  } catch (error) {
    return [
      `PrismaClient refuses __internal (${(error as Error).message}): ${todo("src/db/prisma.ts", "the shared compiler")}`,
    ];
  }
  if (!config)
    problems.push(
      `__internal.configOverride is not called: ${todo("src/db/shared-compiler.ts", "the shared compiler")}`,
    );
  const getRuntime = at(config, "compilerWasm", "getRuntime");
  if (!isFunction(getRuntime))
    problems.push(
      `config.compilerWasm.getRuntime is gone: ${todo("src/db/shared-compiler.ts", "the shared compiler")}`,
    );
  else if (!isFunction(at(await (getRuntime as () => Promise<unknown>)(), "QueryCompiler")))
    problems.push(
      `the wasm glue has no QueryCompiler class: ${todo("src/db/shared-compiler.ts", "the shared compiler")}`,
    );
  // A string in Prisma's config; a DataView once this isolate's shared compiler decoded it.
  const graph = at(config, "parameterizationSchema", "graph");
  if (typeof graph !== "string" && !(graph instanceof DataView))
    problems.push(
      `config.parameterizationSchema.graph is no longer a base64url string: ${todo("src/db/shared-compiler.ts", "decodedOnce")}`,
    );
  for (const method of ["start", "request", "requestBatch", "transaction", "stop"]) {
    if (!isFunction(at(prisma, "_engine", method)))
      problems.push(`_engine.${method} is gone: ${todo("src/db/client-pool.ts", "the client pool")}`);
  }
  for (const member of ["request", "dispatchBatches", "batches", "options"]) {
    if (at(prisma, "_requestHandler", "dataloader", member) === undefined)
      problems.push(
        `_requestHandler.dataloader.${member} is gone: ${todo("src/db/batch-dispatch.ts", "batch-dispatch")}`,
      );
  }
  if (typeof at(prisma, "_engineConfig", "inlineSchema") !== "string")
    problems.push(
      `_engineConfig.inlineSchema is gone: ${todo("src/db/warm-up.ts", "the warm-up (src/index.ts's line)")}`,
    );
  if (typeof at(prisma, "_runtimeDataModel", "models") !== "object")
    problems.push(
      `_runtimeDataModel.models is gone: ${todo("src/db/warm-up.ts", "the warm-up (src/index.ts's line)")}`,
    );
  return problems;
}

describe("the Prisma internals the speed layer uses", () => {
  it("are all where it expects them, in the installed Prisma", async () => {
    expect(await contractProblems(PrismaClient)).toEqual([]);
  });

  it("a Prisma without one of them fails with the line that says which and what to do", async () => {
    // The installed Prisma, with its dataloader removed: as a release that reorganised it would be.
    class WithoutDataloader extends PrismaClient {
      constructor(options: ConstructorParameters<typeof PrismaClient>[0]) {
        super(options);
        delete ((this as unknown as Bag)._requestHandler as Bag).dataloader;
      }
    }
    expect(await contractProblems(WithoutDataloader as typeof PrismaClient)).toEqual(
      ["request", "dispatchBatches", "batches", "options"].map(
        (member) =>
          `_requestHandler.dataloader.${member} is gone: src/db/batch-dispatch.ts: port it to this Prisma, or delete batch-dispatch (the app works without it, slower)`,
      ),
    );
  });
});
