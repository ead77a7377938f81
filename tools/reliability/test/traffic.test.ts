// Small, seeded versions of the long runs (npm run reliability:load / reliability:fuzz), on the
// Worker's own target, plus the regressions the fuzzer found.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingDemoRoutes } from "../src/demo-routes";
import { runFuzz } from "../src/fuzz";
import { runLoad } from "../src/load";
import { DATABASE_PATHS, startWorkerUnderTest, type WorkerUnderTest } from "../src/worker-under-test";
import { createAuthor, timedCall } from "./helpers";

describe.each(DATABASE_PATHS)("over %s", (via) => {
  let target: WorkerUnderTest;
  /** Set when the demo's routes are gone (README, "Remove the demo"): every test here skips, saying why. */
  let missing: string | undefined;
  beforeAll(async () => {
    target = await startWorkerUnderTest({ via });
    missing = await missingDemoRoutes(target);
  }, 120_000);
  afterAll(() => target?.stop());

  describe("load", () => {
    it("300 requests at concurrency 32: 0 unexpected statuses, 0 leaked connections, counters right", async (ctx) => {
      if (missing) ctx.skip(missing);
      const r = await runLoad(target, { requests: 300, concurrency: 32, deadlineMs: 60_000 });
      expect({ requests: r.requests, unexpected: r.unexpected, examples: r.examples }).toEqual({
        requests: 300,
        unexpected: 0,
        examples: [],
      });
      expect(r.connectionsAfter).toBeLessThanOrEqual(r.connectionsBefore);
      expect(r.invariants).toMatchObject({ driftedCounters: 0, orphanPosts: 0 });
    }, 90_000);
  });

  describe("fuzz", () => {
    it("300 generated requests (seed 20261121): 0 5xx, 0 missing responses, healthy afterwards", async (ctx) => {
      if (missing) ctx.skip(missing);
      const r = await runFuzz(target, { seed: 20261121, requests: 300, concurrency: 8, deadlineMs: 60_000 });
      expect(r.requests).toBe(300);
      expect(r.failures).toEqual([]);
      expect(r.healthyAfter).toBe(true);
      expect(r.connectionsAfter).toBeLessThanOrEqual(r.connectionsBefore);
      expect(r.invariants).toMatchObject({ driftedCounters: 0, orphanPosts: 0 });
    }, 90_000);

    // Found by the fuzzer: Postgres text cannot hold U+0000, and its error (22021 over HTTP, P2039
    // over WebSocket) was a 500. On the demo's routes (their text fields and search); the
    // machinery's own test is in test/worker/errors.test.ts.
    it("a NUL character in a body or query is a 400 on both transports", async (ctx) => {
      if (missing) ctx.skip(missing);
      const authorId = await createAuthor(target);
      const cases = [
        ["POST", "/users", { email: `nul-${crypto.randomUUID()}@example.test`, name: "a\u0000b" }],
        ["PATCH", `/users/${authorId}`, { name: "\u0000" }],
        ["POST", "/posts", { title: "t\u0000", authorId }],
        ["GET", "/users?q=%00", undefined],
        ["GET", "/posts?q=a%00b", undefined],
      ] as const;
      for (const [method, path, json] of cases) {
        const res = await timedCall(target, method, path, json);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 400 });
        expect(JSON.parse(res.body)).toMatchObject({ type: "urn:problem-type:invalid-character" });
      }
    });
  });
});
