// Prisma's batched queries go out on a microtask, not on a timer (src/db/batch-dispatch.ts): a
// findUnique, and every query of an interactive transaction, reaches the driver without waiting for
// setTimeout(fn, 0), and queries sent together still share one batch. Real clients, real driver,
// real database.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { dispatchBatchesOnMicrotask } from "../../src/db/batch-dispatch";
import { leasePrismaClient, transportFor } from "../../src/db/prisma";
import type { Bindings } from "../../src/env";
import type { PrismaClient } from "../../src/generated/prisma/client";

const bindings = env as Bindings;
const caller = `batch-dispatch-${crypto.randomUUID()}`;
/** A key no row has: the lookups find nothing, which is all these tests need of them. */
const missing = (key: string) => ({ where: { caller_route_key: { caller, route: "GET /nothing", key } } });

/**
 * Runs `counted` on a leased, connected client and returns how many zero-delay timers Prisma's
 * client set meanwhile. (Neon's driver sets its own, to coalesce a query's writes: not counted.)
 */
async function prismaTimers(
  need: "statement" | "transaction",
  counted: (prisma: PrismaClient) => Promise<unknown>,
): Promise<number> {
  const { prisma, run } = leasePrismaClient(bindings, transportFor(bindings, need));
  return run(async () => {
    let timers = 0;
    const setTimeout = globalThis.setTimeout;
    try {
      await prisma.idempotencyKey.findUnique(missing("warm")); // connected, the plan cached
      globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
        if (!args[1] && /@prisma\/client\//.test(String(new Error().stack))) timers++;
        return setTimeout(...args);
      }) as typeof setTimeout;
      await counted(prisma);
      return timers;
    } finally {
      globalThis.setTimeout = setTimeout;
      await prisma.$disconnect();
    }
  });
}

describe("Prisma's batched queries", () => {
  it("reach the driver without a timer: a findUnique", async () => {
    expect(await prismaTimers("statement", (prisma) => prisma.idempotencyKey.findUnique(missing("a")))).toBe(0);
  });

  it("reach the driver without a timer: the queries of an interactive transaction", async () => {
    const timers = await prismaTimers("transaction", (prisma) =>
      prisma.$transaction(async (tx) => {
        await tx.idempotencyKey.findUnique(missing("b"));
        await tx.idempotencyKey.findFirst({ where: { caller } });
      }),
    );
    expect(timers).toBe(0);
  });

  it("still share one batch when sent together", async () => {
    const { prisma, run } = leasePrismaClient(bindings, transportFor(bindings, "statement"));
    await run(async () => {
      try {
        const engine = (prisma as unknown as { _engine: Record<"request" | "requestBatch", () => unknown> })._engine;
        const [single, batch] = [vi.spyOn(engine, "request"), vi.spyOn(engine, "requestBatch")];
        try {
          const keys = ["c", "d", "e"];
          const found = await Promise.all(keys.map((key) => prisma.idempotencyKey.findUnique(missing(key))));
          expect(found).toEqual([null, null, null]);
          expect(batch).toHaveBeenCalledTimes(1);
          expect(single).not.toHaveBeenCalled();
        } finally {
          single.mockRestore(); // the client goes back to the pool
          batch.mockRestore();
        }
      } finally {
        await prisma.$disconnect();
      }
    });
  });

  it("a Prisma upgrade that changes the dataloader is caught: Prisma 7.10's is taken, another is left alone with one warning", async () => {
    const { prisma, run } = leasePrismaClient(bindings, transportFor(bindings, "statement"));
    await run(async () => {
      expect(dispatchBatchesOnMicrotask(prisma)).toBe(true);
      await prisma.$disconnect();
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const changed = { _requestHandler: { dataloader: { request() {} } } } as unknown as PrismaClient;
      expect(dispatchBatchesOnMicrotask(changed)).toBe(false);
      expect(dispatchBatchesOnMicrotask({} as PrismaClient)).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain("Prisma's dataloader changed");
    } finally {
      warn.mockRestore();
    }
  });
});
