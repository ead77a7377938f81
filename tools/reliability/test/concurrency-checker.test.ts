// The concurrency checker (src/checker/): a short seeded run on each path that runs transactions,
// under faults, must find 0 violations; the same seed must give the same schedule; and the checks
// must catch what they are for (a history with each kind of violation, against a real database).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../src/checker/check";
import { runChecker } from "../src/checker/index";
import type { Answer, History } from "../src/checker/run";
import { makeSchedule } from "../src/checker/schedule";
import { missingDemoRoutes } from "../src/demo-routes";
import { DATABASE_PATHS, startWorkerUnderTest, type WorkerUnderTest } from "../src/worker-under-test";

const OPS = 300;

describe("the schedule", () => {
  it("is the same for the same seed, and another for another", () => {
    expect(makeSchedule(7, 500)).toEqual(makeSchedule(7, 500));
    expect(makeSchedule(8, 500).ops).not.toEqual(makeSchedule(7, 500).ops);
    // Long enough for every kind of operation and fault to come up (a fault every ~40 operations).
    const kinds = new Set(makeSchedule(7, 5_000).ops.map((op) => (op.kind === "fault" ? op.fault.kind : op.kind)));
    for (const kind of ["createPost", "movePost", "deletePost", "patchPost", "createUser", "deleteUser"])
      expect(kinds).toContain(kind);
    for (const fault of ["latency", "cutAfterCommit", "killBackends", "restartPooler"]) expect(kinds).toContain(fault);
  });
});

describe.each(DATABASE_PATHS)("over %s", (via) => {
  let target: WorkerUnderTest;
  let skip: string | undefined;
  beforeAll(async () => {
    target = await startWorkerUnderTest({ via, connectTimeoutMs: 5_000 });
    skip = await missingDemoRoutes(target);
  }, 120_000);
  afterAll(() => target?.stop());

  it(`${OPS} operations at concurrency 16 under faults: 0 violations`, async (ctx) => {
    if (skip) ctx.skip(skip);
    const seed = 20261206;
    const report = await runChecker(target, { seed, ops: OPS, concurrency: 16 });
    expect(report.violations, `replay: npm run reliability:check -- --seed ${seed} --ops ${OPS} --via ${via}`).toEqual(
      [],
    );
    // It did exercise the contention: successful moves, keyed retries, conflicts.
    expect(report.outcomes["movePost (keyed) 200"] ?? 0).toBeGreaterThan(0);
    expect(report.outcomes["createPost (keyed) 201"] ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it.runIf(via === "neon")("catches each violation it checks for", async (ctx) => {
    if (skip) ctx.skip(skip);
    const ok = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
      status,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const missing = crypto.randomUUID();
    const history: History = {
      pools: { users: [], posts: [] },
      ms: 0,
      entries: [
        { index: 0, op: { kind: "patchPost", post: 0, status: "DRAFT" }, attempts: [ok(500, {})] },
        { index: 1, op: { kind: "patchPost", post: 0, status: "DRAFT" }, attempts: [ok(503, {})] },
        {
          index: 2,
          op: { kind: "createUser", key: "k-replay", email: "x@example.test" },
          attempts: [ok(201, { id: missing }, { location: `/users/${missing}` })],
        },
        {
          index: 3,
          op: { kind: "createUser", key: "k-replay", email: "x@example.test" },
          attempts: [ok(201, { id: missing }, { location: "/users/elsewhere" })],
        },
      ],
    };
    const violations = await check(target.db, history);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^#0 patchPost: 500/),
        "#1 patchPost: 503 without Retry-After",
        `#2 createUser: created user ${missing} is missing`,
        "#3 createUser: key k-replay answered differently than at #2",
        `#3 createUser: Location /users/elsewhere for /users/${missing}`,
        "key k-replay answered 2xx, has no key row",
      ]),
    );
  });
});
