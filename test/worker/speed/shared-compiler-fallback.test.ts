// The speed layer's fallback: when Prisma no longer honours the hook the shared compiler rests on,
// clients are stock Prisma (their own compiler and plan cache), with one warning; never a client
// without a plan cache. A Prisma that accepts `__internal` but does not call configOverride is
// stood for by Prisma's own client constructor given `__internal` without it.
import { env } from "cloudflare:workers";
import { PrismaNeonHttp } from "@prisma/adapter-neon";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import { leasePrismaClient } from "../../../src/db/prisma";
import { allowSharingAgain, sharedCompilerClient, sharedCompilerCounts } from "../../../src/db/speed/shared-compiler";
import type { Bindings } from "../../../src/env";
import { PrismaClient } from "../../../src/generated/prisma/client";

afterEach(() => {
  allowSharingAgain();
  vi.restoreAllMocks();
});

/** Prisma's client, as a release that accepts `__internal` and ignores its configOverride. */
class IgnoresConfigOverride extends PrismaClient {
  constructor(options: ConstructorParameters<typeof PrismaClient>[0]) {
    super({ ...options, __internal: {} } as unknown as typeof options);
  }
}

/** Neon's HTTP driver to the local Neon, as the app's own clients have it. */
function options() {
  useLocalNeonProxy((env as Bindings).NEON_LOCAL_PROXY);
  const adapter = new PrismaNeonHttp((env as Bindings).DATABASE_URL!, {});
  return { adapter, transactionOptions: { maxWait: 5_000, timeout: 5_000 } };
}

describe("the shared compiler's fallback", () => {
  it("with the hook honoured: a client on the shared compiler, no warning", () => {
    const warn = vi.spyOn(console, "warn");
    expect(sharedCompilerClient(options()) !== undefined).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it("a Prisma that ignores configOverride: stock clients from then on, one warning, plans still cached", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(
      sharedCompilerClient(options(), IgnoresConfigOverride as unknown as new (o: object) => PrismaClient),
    ).toBeUndefined();
    expect(sharedCompilerClient(options())).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/did not call its configOverride/);

    // The stock client keeps Prisma's own plan cache: of the same query twice, at most one reaches
    // a compiler. (Which compiler depends on which glue this isolate loaded first: with the
    // shared one, a client without a cache of its own would have sent both.)
    const before = sharedCompilerCounts();
    const { prisma, run } = leasePrismaClient(env as Bindings, "http");
    await run(async () => {
      try {
        // A model of the machinery's own (the demo's go with the demo).
        const key = { caller: "fallback-test", route: "GET /", key: crypto.randomUUID() };
        for (let i = 0; i < 2; i++) await prisma.idempotencyKey.findUnique({ where: { caller_route_key: key } });
      } finally {
        await prisma.$disconnect();
      }
    });
    const after = sharedCompilerCounts();
    expect(after.planHits + after.planMisses - (before.planHits + before.planMisses)).toBeLessThanOrEqual(1);
  });
});
