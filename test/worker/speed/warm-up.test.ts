import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { leasePrismaClient, transportFor } from "../../../src/db/prisma";
import { clientPoolCounts } from "../../../src/db/speed/client-pool";
import { sharedCompilerCounts } from "../../../src/db/speed/shared-compiler";
import { warmUpQueryCompiler } from "../../../src/db/speed/warm-up";
import type { Bindings } from "../../../src/env";
import { Prisma } from "../../../src/generated/prisma/client";
import { idempotencyQueries } from "../../../src/middleware/idempotency";
import { call, createTopic, getTopic, uniqueText } from "../fixture/client";
import { plansAfterWarmUp } from "./plans";

// src/index.ts runs the warm-up at module scope (tools/bench/test/startup.test.ts checks that in plain
// workerd); here it runs again inside a request, where a failure throws instead of warning.
describe("query compiler warm-up", () => {
  it("plans its queries with this Prisma's glue and JSON protocol, for every model of this schema", async () => {
    const before = clientPoolCounts();
    // Its reads also run through a client, whose adapter answers with no rows: were anything sent,
    // it would go to warm-up.invalid and fail.
    const { plans: planned, statements } = await warmUpQueryCompiler();
    const plans = planned.map((p) => JSON.stringify(p));
    // Its client is left in the pool, for the isolate's first request.
    const after = clientPoolCounts();
    // (Leased twice: connected as the HTTP adapter, then as the WebSocket and Hyperdrive ones.)
    expect(after.built + after.reused).toBe(before.built + before.reused + 2);
    expect(after.idle).toBeGreaterThan(0);
    // Two reads per model, whatever the models are (nothing in the warm-up names one).
    const models = Object.values(Prisma.ModelName);
    expect(plans).toHaveLength(2 * models.length);
    // Each a SELECT from its model's table, not an error or an empty plan.
    for (const plan of plans) expect(plan).toMatch(/SELECT .* FROM \\"public\\"\.\\"\w+\\"/);
    // Its client ran writes as well as reads (write routes run other code than reads, in Prisma's
    // planner and interpreter): an update and an insert reached the adapter, besides the reads.
    expect(statements.filter((s) => s.startsWith("SELECT")).length).toBeGreaterThanOrEqual(2 * models.length);
    expect(statements.some((s) => s.startsWith("UPDATE"))).toBe(true);
    expect(statements.some((s) => s.startsWith("INSERT"))).toBe(true);
    // And an interactive transaction, committed (Prisma's COMMIT reached the adapter).
    expect(statements).toContain("BEGIN");
    expect(statements.at(-1)).toBe("COMMIT");
  });

  it("plans on the same wasm instance as Prisma's clients, which keep working around it", async () => {
    // Prisma is loaded and in use before the warm-up, and used again after it: a warm-up that
    // instantiated a wasm of its own behind the same glue would break these ("Failed to decode input").
    // A keyed write runs Prisma's planned queries (the idempotency key's), the fixture's raw SQL too.
    const keyed = (topicId: string) => ({
      method: "POST",
      headers: { "Idempotency-Key": crypto.randomUUID() },
      json: { text: uniqueText("warm"), topicId },
    });
    const topic = await createTopic();
    expect((await call("/notes", keyed(topic.id))).status).toBe(201);
    const { plans } = await warmUpQueryCompiler();
    expect(plans.length).toBeGreaterThan(0);
    expect((await call("/notes", keyed(topic.id))).status).toBe(201);
    expect(await getTopic(topic.id)).toMatchObject({ id: topic.id, noteCount: 2 });
  });

  it("plans the startup queries it is given, where transactions run: a keyed write then plans nothing", async () => {
    const topic = await createTopic();
    // A keyed write's Prisma queries (the idempotency key's: its lookup and its record; the
    // fixture's own statements are raw SQL, which Prisma does not plan), counted from an empty cache.
    const keyedWrite = async () => {
      const res = await call("/notes", {
        method: "POST",
        headers: { "Idempotency-Key": crypto.randomUUID() },
        json: { text: uniqueText("startup"), topicId: topic.id },
      });
      expect(res.status).toBe(201);
    };
    // Without them, the first keyed write plans its queries itself.
    expect((await plansAfterWarmUp([], keyedWrite)).misses).toBeGreaterThanOrEqual(2);
    // With them (as src/index.ts passes), it finds every plan cached, on the WebSocket (or
    // Hyperdrive) shape its transaction runs on.
    const planned = await plansAfterWarmUp([idempotencyQueries], keyedWrite);
    expect(planned.misses).toBe(0);
    expect(planned.hits).toBeGreaterThanOrEqual(2);
  });

  it("warms what the isolate's settings use: DATABASE_SCHEMA's compilers, the transaction limits' pool", async () => {
    // A schema no client of this isolate has used yet (connecting and planning do no I/O, so it
    // need not exist), and limits whose pool is empty.
    const settings = {
      ...(env as Bindings),
      DATABASE_SCHEMA: `warm_${crypto.randomUUID().slice(0, 8)}`,
      DB_TRANSACTION_TIMEOUT_MS: "4321",
    };
    await warmUpQueryCompiler([], settings);
    const before = { compilers: sharedCompilerCounts().compilersBuilt, pool: clientPoolCounts() };
    // The clients a request gets with those settings, connected: a statement's and a transaction's.
    for (const need of ["statement", "transaction"] as const) {
      const { prisma, run } = leasePrismaClient(settings, transportFor(settings, need));
      await run(async () => {
        await prisma.$connect();
        await prisma.$disconnect();
      });
    }
    // They found the warm-up's compilers (a compiler is keyed by the schema the adapter reports)...
    expect(sharedCompilerCounts().compilersBuilt).toBe(before.compilers);
    // ...and its client, in the pool these limits key.
    expect(clientPoolCounts().built).toBe(before.pool.built);
    expect(clientPoolCounts().reused).toBeGreaterThan(before.pool.reused);
  });
});
