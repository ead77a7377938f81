// Faults injected through the Worker's own local Neon: refusal, a black hole, a slow wake-up and a
// connection cut inside a transaction. Faults are global to the proxy, so this file runs its
// cases one after another on a stack nobody else uses.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { settleConnections } from "../src/connections";
import { DATABASE_PATHS, type WorkerUnderTest } from "../src/worker-under-test";
import { createTopic, driftedTopics, startFixtureUnderTest } from "./fixture";
import { timedCall, untilNoOpenSockets } from "./helpers";

const TIMEOUT_MS = 5_000;

/** The next transaction ID the cluster will assign (the stack's cluster is this file's own). */
async function nextXid(target: WorkerUnderTest): Promise<bigint> {
  const { rows } = await target.db.query<{ x: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`);
  return BigInt(rows[0]!.x);
}

/**
 * Whether a transaction that wrote something rolled back among the IDs assigned since `from`.
 * Postgres assigns an ID at a transaction's first write, so a keyed POST /notes gets one at its
 * INSERT (the key lookup before it only reads) and a cut before the INSERT leaves none. Waits (at
 * most 5 s) for the cut backend to finish its abort. Exact, unlike the statistics counters, which
 * a backend flushes some time after it exits.
 */
async function rolledBackWriteSince(target: WorkerUnderTest, from: bigint): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await target.db.query<{ status: string }>(
      `SELECT pg_xact_status(x::text::xid8) AS status FROM generate_series($1::bigint, $2::bigint - 1) AS x`,
      [from.toString(), (await nextXid(target)).toString()],
    );
    if (!rows.some((r) => r.status === "in progress")) return rows.some((r) => r.status === "aborted");
    await sleep(50);
  }
  throw new Error("a transaction of the cut request was still in progress after 5 s");
}

describe.each(DATABASE_PATHS)("over %s", (via) => {
  let target: WorkerUnderTest;
  let topicId: string;

  // On the machinery's fixture (./fixture.ts), whose routes share the Worker's middleware.
  beforeAll(async () => {
    target = await startFixtureUnderTest({ connectTimeoutMs: TIMEOUT_MS, via });
    topicId = await createTopic(target);
  }, 120_000);
  afterAll(() => target?.stop());
  beforeEach(async () => {
    target.stack.neon.setFaults({
      refuseConnections: false,
      wakeupDelayMs: 0,
      idleAfterMs: 300_000,
      cutAfterMessages: 0,
      latencyMs: 0,
    });
    await untilNoOpenSockets(target);
  });

  // One route per need: GET /notes is a statement (Neon: HTTP), a keyed POST /notes a transaction
  // (Neon: WebSocket; its key is recorded with the write); over Hyperdrive both take the TCP path.
  const requests = () =>
    [
      ["http", "GET", "/notes", undefined, {}],
      [
        "ws",
        "POST",
        "/notes",
        { text: `fault-${crypto.randomUUID()}`, topicId },
        { "Idempotency-Key": crypto.randomUUID() },
      ],
    ] as const;

  describe("the database refuses connections", () => {
    it("answers 503 problem+json with Retry-After on both transports, well within the timeout", async () => {
      target.stack.neon.setFaults({ refuseConnections: true });
      for (const [transport, method, path, json, headers] of requests()) {
        const res = await timedCall(target, method, path, json, headers);
        expect({ transport, status: res.status, retryAfter: res.retryAfter }).toEqual({
          transport,
          status: 503,
          retryAfter: "5",
        });
        expect(res.contentType).toBe("application/problem+json");
        expect(res.ms).toBeLessThan(TIMEOUT_MS);
      }
    });
  });

  describe("the database never answers (a compute that does not wake)", () => {
    it("answers 503 with Retry-After after about DB_CONNECT_TIMEOUT_MS, on both transports", async () => {
      // Longer than two timeouts: a keyed write that looked for a concurrent winner after its own
      // failed start would wait out another timeout (or more) before answering.
      const wakeupDelayMs = TIMEOUT_MS * 3;
      target.stack.neon.setFaults({ wakeupDelayMs, idleAfterMs: 0 });
      const started = Date.now();
      const healthCall = timedCall(target, "GET", "/health?need=transaction");
      const results = await Promise.all(
        requests().map(([, method, path, json, headers]) => timedCall(target, method, path, json, headers)),
      );
      for (const [i, res] of results.entries()) {
        expect({ transport: requests()[i]![0], status: res.status, retryAfter: res.retryAfter }).toMatchObject({
          status: 503,
          retryAfter: "5",
        });
        expect(res.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
        expect(res.ms).toBeLessThan(TIMEOUT_MS + 3_000);
      }
      // /health over WebSocket runs a query outside any transaction: bounded by the same timeout.
      const health = await healthCall;
      expect({ status: health.status, retryAfter: health.retryAfter }).toEqual({ status: 503, retryAfter: "5" });
      expect(health.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
      expect(health.ms).toBeLessThan(TIMEOUT_MS + 3_000);
      // The proxy's wake-up is shared by every connection: let it finish before the next case.
      await sleep(Math.max(0, wakeupDelayMs - (Date.now() - started)) + 100);
    }, 30_000);
  });

  describe("a 3 s wake-up", () => {
    it("delays the request but it succeeds, on both transports", async () => {
      target.stack.neon.setFaults({ wakeupDelayMs: 3_000, idleAfterMs: 0 });
      for (const [transport, method, path, json, headers] of requests()) {
        await untilNoOpenSockets(target);
        const wakeups = target.stack.neon.counters().wakeups;
        const res = await timedCall(target, method, path, json, headers);
        expect({ transport, status: res.status }).toEqual({ transport, status: method === "GET" ? 200 : 201 });
        expect(res.ms).toBeGreaterThanOrEqual(2_900);
        expect(target.stack.neon.counters().wakeups).toBeGreaterThan(wakeups);
      }
    }, 30_000);
  });

  // Keyed, so that POST /notes is a transaction (its key is recorded with the write); unkeyed it is
  // one statement, which a cut cannot split.
  describe("a connection cut inside a keyed POST /notes's transaction", () => {
    it("rolls back: 503 and 0 partial writes, the topic's count equal to its notes, wherever the cut lands", async () => {
      const topicId = await createTopic(target); // no notes yet
      const notesOf = async () =>
        (
          await target.db.query<{ notes: number; counter: number }>(
            `SELECT (SELECT count(*)::int FROM fixture_notes WHERE topic_id = $1) AS notes, note_count AS counter
             FROM fixture_topics WHERE id = $1`,
            [topicId],
          )
        ).rows[0]!;
      let created = 0;
      let cutAfterInsert = 0;
      let scans = 0;
      // Cut after 1, 2, … client messages (pg over TCP writes more, smaller chunks than the WebSocket
      // driver) until the request gets through: every earlier attempt was cut somewhere between the
      // connect and the COMMIT. Over TCP the chunking varies with load, so a scan can step over the
      // window after the INSERT; the scan is repeated (at most 3 times) until one cut lands there.
      // Every attempt of every scan is checked for partial writes.
      while (cutAfterInsert === 0 && scans < 3) {
        scans++;
        for (let n = 1; n <= 40; n++) {
          const before = { ...(await notesOf()), xid: await nextXid(target) };
          await untilNoOpenSockets(target);
          target.stack.neon.setFaults({ cutAfterMessages: n });
          const res = await timedCall(
            target,
            "POST",
            "/notes",
            { text: `cut ${n} ${crypto.randomUUID()}`, topicId },
            { "Idempotency-Key": crypto.randomUUID() },
          );
          target.stack.neon.setFaults({ cutAfterMessages: 0 });
          await settleConnections(target, 0);
          const after = await notesOf();
          if (res.status === 201) created++;
          else {
            expect(res.status).toBe(503);
            expect(res.retryAfter).toBe("5");
            expect(after.notes).toBe(before.notes); // nothing written
            // The INSERT ran, then rolled back.
            if (await rolledBackWriteSince(target, before.xid)) cutAfterInsert++;
          }
          expect(after.counter).toBe(after.notes);
          expect(after.notes).toBe(created);
          if (res.status === 201) break;
        }
      }
      expect(created).toBe(scans);
      expect(cutAfterInsert).toBeGreaterThanOrEqual(1);
      expect(await driftedTopics(target.db)).toBe(0);
    }, 60_000);
  });
});
