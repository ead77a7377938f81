// The contract between the speed layer (src/db/speed: shared-compiler, client-pool, warm-up) and
// Prisma: every Prisma internal it touches, checked on a real client of the installed
// Prisma. After a Prisma upgrade this fails first, with one line per internal that moved, naming
// the file that uses it and what to do. The layer itself falls back to stock Prisma at run time
// (shared-compiler-fallback.test.ts); this says why, before anyone deploys.

import { env } from "cloudflare:workers";
import { PrismaNeonHttp } from "@prisma/adapter-neon";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../../src/env";
import { PrismaClient } from "../../../src/generated/prisma/client";

type Bag = Record<string, unknown>;
const isFunction = (value: unknown) => typeof value === "function";
const at = (value: unknown, ...path: string[]) =>
  path.reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Bag)[key] : undefined), value);

/** What to do when an internal moved: port the part that uses it, or leave that part out (it is optional). */
const todo = (file: string, part: string) =>
  `${file}: port it to this Prisma, or leave ${part} out of PRISMA_SPEED_LAYER (wrangler.toml; the app works without it, slower)`;

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
      `PrismaClient refuses __internal (${(error as Error).message}): ${todo("src/db/speed/shared-compiler.ts", "shared-compiler")}`,
    ];
  }
  if (!config)
    problems.push(
      `__internal.configOverride is not called: ${todo("src/db/speed/shared-compiler.ts", "shared-compiler")}`,
    );
  const getRuntime = at(config, "compilerWasm", "getRuntime");
  if (!isFunction(getRuntime))
    problems.push(
      `config.compilerWasm.getRuntime is gone: ${todo("src/db/speed/shared-compiler.ts", "shared-compiler")}`,
    );
  else if (!isFunction(at(await (getRuntime as () => Promise<unknown>)(), "QueryCompiler")))
    problems.push(
      `the wasm glue has no QueryCompiler class: ${todo("src/db/speed/shared-compiler.ts", "shared-compiler")}`,
    );
  // A string in Prisma's config; a DataView once this isolate's shared compiler decoded it.
  const graph = at(config, "parameterizationSchema", "graph");
  if (typeof graph !== "string" && !(graph instanceof DataView))
    problems.push(
      `config.parameterizationSchema.graph is no longer a base64url string: ${todo("src/db/speed/shared-compiler.ts", "shared-compiler")}`,
    );
  for (const method of ["start", "request", "requestBatch", "transaction", "stop"]) {
    if (!isFunction(at(prisma, "_engine", method)))
      problems.push(`_engine.${method} is gone: ${todo("src/db/speed/client-pool.ts", "client-pool")}`);
  }
  if (typeof at(prisma, "_engineConfig", "inlineSchema") !== "string")
    problems.push(`_engineConfig.inlineSchema is gone: ${todo("src/db/speed/warm-up.ts", "warm-up")}`);
  if (typeof at(prisma, "_runtimeDataModel", "models") !== "object")
    problems.push(`_runtimeDataModel.models is gone: ${todo("src/db/speed/warm-up.ts", "warm-up")}`);
  return problems;
}

describe("the Prisma internals the speed layer uses", () => {
  it("are all where it expects them, in the installed Prisma", async () => {
    expect(await contractProblems(PrismaClient)).toEqual([]);
  });

  it("a Prisma without one of them fails with the line that says which and what to do", async () => {
    // The installed Prisma, with its runtime data model moved: as a release that reorganised it would be.
    class WithoutDataModel extends PrismaClient {
      constructor(options: ConstructorParameters<typeof PrismaClient>[0]) {
        super(options);
        (this as unknown as Bag)._runtimeDataModel = undefined;
      }
    }
    expect(await contractProblems(WithoutDataModel as typeof PrismaClient)).toEqual([
      "_runtimeDataModel.models is gone: src/db/speed/warm-up.ts: port it to this Prisma, or leave warm-up out of PRISMA_SPEED_LAYER (wrangler.toml; the app works without it, slower)",
    ]);
  });
});
