import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { IDEMPOTENCY_KEY_TTL_MS, SWEEP_BATCH, sweepIdempotencyKeys } from "../../src/jobs/sweep-idempotency-keys";
import { call, createTopic, uniqueText } from "./fixture/client";
import { withDb } from "./helpers";

// The sweep of expired Idempotency-Keys: the Worker's scheduled handler (wrangler.toml [triggers]).
// Other files' keys share the table, so each test counts only the keys of its own caller.

const CRON = "17 * * * *";
const EXPIRED_AT = Date.now() - IDEMPOTENCY_KEY_TTL_MS - 60_000;

/** `count` keys of a new caller, created at `createdAt` and a millisecond apart before it. */
async function insertKeys(count: number, createdAt: number): Promise<string> {
  const caller = `sweep-test-${crypto.randomUUID()}`;
  // A response body of a typical size: a row is what a keyed POST leaves behind.
  await withDb(
    (db) => db.$executeRaw`
      INSERT INTO idempotency_keys (caller, route, key, fingerprint, response_status, response_headers, response_body, created_at)
      SELECT ${caller}, 'POST /notes', 'k' || i, 'f', 201, '{}'::jsonb, repeat('x', 300),
             ${new Date(createdAt)}::timestamptz - i * interval '1 ms'
      FROM generate_series(1, ${count}::int) AS i`,
  );
  return caller;
}

const keysOf = (caller: string) => withDb((db) => db.idempotencyKey.count({ where: { caller } }));

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRON, scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the sweep of expired Idempotency-Keys", () => {
  it("one run deletes every expired key, more than an hourly run of 20 batches of 500 could, and no live one", async () => {
    const expired = await insertKeys(25_000, EXPIRED_AT);
    // A minute short of expiring, and one made through the API just now.
    const live = await insertKeys(50, Date.now() - IDEMPOTENCY_KEY_TTL_MS + 60_000);
    const fresh = crypto.randomUUID();
    const { id: topicId } = await createTopic();
    const json = { text: uniqueText("fresh"), topicId };
    expect((await call("/notes", { method: "POST", headers: { "Idempotency-Key": fresh }, json })).status).toBe(201);

    await runCron();

    expect(await keysOf(expired)).toBe(0);
    expect(await keysOf(live)).toBe(50);
    expect(await withDb((db) => db.idempotencyKey.count({ where: { key: fresh } }))).toBe(1);
  });

  it("a run stops at its budget, in whole batches, and the next goes on", async () => {
    const expired = await insertKeys(SWEEP_BATCH + 10, EXPIRED_AT);
    // A spent budget still deletes one batch, so every run makes progress.
    const first = await withDb((db) => sweepIdempotencyKeys(db, new Date(), 0));
    expect(first).toEqual({ deleted: SWEEP_BATCH, done: false });
    await runCron();
    expect(await keysOf(expired)).toBe(0);
  });

  it("clears keys fast enough for the capacity src/jobs/sweep-idempotency-keys.ts states", async () => {
    await insertKeys(10 * SWEEP_BATCH, EXPIRED_AT);
    const started = performance.now();
    const { deleted, done } = await withDb((db) => sweepIdempotencyKeys(db));
    const msPerBatch = (performance.now() - started) / Math.ceil(deleted / SWEEP_BATCH);
    console.log(JSON.stringify({ deleted, msPerBatch, keysPerSecond: Math.round((SWEEP_BATCH / msPerBatch) * 1000) }));
    expect(done).toBe(true);
    // The comment's figures assume a batch's DELETE takes under 30 ms besides its flight.
    expect(msPerBatch).toBeLessThan(30);
  });
});
