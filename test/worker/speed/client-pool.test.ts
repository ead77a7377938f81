// The isolate's pool of PrismaClients (src/db/speed/client-pool.ts): one client serves request after
// request, one at a time, and a client kept past its request is refused rather than run on the
// next holder's connection. Real requests across workerd's request contexts, at concurrency 64,
// are tools/bench/test/isolation.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { leasePrismaClient } from "../../../src/db/prisma";
import { clientPoolCounts, LEASE_ENDED, leaseClient } from "../../../src/db/speed/client-pool";
import type { Bindings } from "../../../src/env";
import type { PrismaClient } from "../../../src/generated/prisma/client";
import { call, createNote, createTopic } from "../fixture/client";

/** Bindings whose clients have a pool of their own (the pool's key is the connect timeout). */
const own = (timeoutMs: number) => ({ ...(env as Bindings), DB_CONNECT_TIMEOUT_MS: String(timeoutMs) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the client pool", () => {
  it("serves request after request with the same clients", async () => {
    const note = await createNote((await createTopic()).id);
    expect((await call(`/notes/${note.id}`)).status).toBe(200);
    const before = clientPoolCounts();
    for (let i = 0; i < 20; i++) expect((await call(`/notes/${note.id}`)).status).toBe(200);
    const after = clientPoolCounts();
    expect(after.built).toBe(before.built);
    expect(after.reused - before.reused).toBe(20);
    expect(after.idle).toBeGreaterThan(0);
  });

  it("hands a client to one holder at a time: a second lease while the first holds it gets another", async () => {
    const bindings = own(4_001);
    const first = leasePrismaClient(bindings, "http");
    const second = leasePrismaClient(bindings, "http");
    expect(second.prisma).not.toBe(first.prisma);
    for (const lease of [first, second]) await lease.run(() => lease.prisma.$disconnect());
    const [a, b] = [leasePrismaClient(bindings, "http"), leasePrismaClient(bindings, "http")];
    expect(new Set([a.prisma, b.prisma])).toEqual(new Set([first.prisma, second.prisma]));
  });

  it("refuses a query from a request that has ended, also once another request holds the client", async () => {
    const bindings = own(4_002);
    const first = leasePrismaClient(bindings, "http");
    let strayQuery: Promise<unknown> | undefined;
    await first.run(async () => {
      expect(await first.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      // Work the request leaves behind (say, in waitUntil), run after the request has let go.
      strayQuery = sleep(50).then(() => first.prisma.$queryRaw`SELECT 2 AS two`);
      strayQuery.catch(() => {});
      await first.prisma.$disconnect();
    });
    // Outside any request.
    await expect(first.prisma.$queryRaw`SELECT 3`).rejects.toThrow(LEASE_ENDED);

    const next = leasePrismaClient(bindings, "http");
    expect(next.prisma).toBe(first.prisma);
    await next.run(async () => {
      await expect(strayQuery).rejects.toThrow(LEASE_ENDED);
      expect(await next.prisma.$queryRaw`SELECT 4 AS four`).toEqual([{ four: 4 }]);
      await next.prisma.$disconnect();
    });
  });

  it("a $disconnect from outside the holder closes nothing; a second one from the holder pools nothing", async () => {
    const bindings = own(4_003);
    const held = leasePrismaClient(bindings, "ws");
    await held.run(async () => expect(await held.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]));
    await held.prisma.$disconnect(); // outside the lease: a no-op
    await held.run(async () => {
      expect(await held.prisma.$queryRaw`SELECT 2 AS two`).toEqual([{ two: 2 }]);
      await Promise.all([held.prisma.$disconnect(), held.prisma.$disconnect()]);
    });
    const [a, b] = [leasePrismaClient(bindings, "ws"), leasePrismaClient(bindings, "ws")];
    expect(a.prisma).toBe(held.prisma);
    expect(b.prisma).not.toBe(held.prisma);
  });

  it("without Prisma's engine hook, every lease is a new client, with one warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const factory = { provider: "postgres", adapterName: "test", connect: () => Promise.reject(new Error("unused")) };
    const builds: object[] = [];
    const build = () => {
      const client = {};
      builds.push(client);
      return client as PrismaClient;
    };
    const a = leaseClient("no-engine", factory as never, build);
    const b = leaseClient("no-engine", factory as never, build);
    expect(builds).toHaveLength(2);
    expect(a.prisma).not.toBe(b.prisma);
    expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/not pooled/);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
