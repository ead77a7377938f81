// The isolate-wide query compiler and plan cache (src/db/speed/shared-compiler.ts): built once per
// connection shape rather than once per request. On the fixture's routes (test/worker/fixture),
// whose keyed writes run Prisma's planned queries (the idempotency key's); their own statements
// are raw SQL, which Prisma does not plan. Under concurrency, with real requests in plain
// workerd: tools/bench/test/isolation.test.ts.
import { describe, expect, it } from "vitest";
import { sharedCompilerCounts } from "../../../src/db/speed/shared-compiler";
import { call, createNote, createTopic, uniqueText } from "../fixture/client";

const keyed = (json: unknown) => ({ method: "POST", headers: { "Idempotency-Key": crypto.randomUUID() }, json });

describe("the shared query compiler", () => {
  it("is built once per connection shape, not once per request, and plans are reused", async () => {
    const [a, b] = [await createTopic(), await createTopic()];
    const note = await createNote(a.id);
    let to = b;
    const round = async () => {
      expect((await call(`/notes/${note.id}`)).status).toBe(200); // one statement
      // Keyed writes: transactions on the WebSocket (or Hyperdrive) shape, each with two planned
      // queries on the idempotency key.
      expect((await call("/notes", keyed({ text: uniqueText("shared"), topicId: a.id }))).status).toBe(201);
      expect((await call(`/notes/${note.id}/move`, keyed({ topicId: to.id }))).status).toBe(200);
      to = to === b ? a : b;
    };
    await round();
    const before = sharedCompilerCounts();
    for (let i = 0; i < 10; i++) await round();
    const after = sharedCompilerCounts();
    // Prisma took the hook: a dropped __internal.configOverride would leave this at 0.
    expect(after.compilersBuilt).toBeGreaterThan(0);
    // 30 more requests, no new compiler: HTTP and WebSocket (or Hyperdrive's
    // one) shapes, plus the warm-up's.
    expect(after.compilersBuilt).toBe(before.compilersBuilt);
    expect(after.compilersBuilt).toBeLessThanOrEqual(3);
    expect(after.planMisses).toBe(before.planMisses);
    expect(after.planHits - before.planHits).toBeGreaterThanOrEqual(40);
  });
});
