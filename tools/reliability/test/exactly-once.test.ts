// Exactly-once writes under the worst cut: the connection drops after Postgres has committed and
// before the Worker hears so. Each trial sends a keyed write with the local Neon's cutAfterCommit
// fault on, then retries it with the same key; the database must hold the write once, with one
// key row, whatever the first answer was. Both paths that take transactional writes are tried:
// Neon's WebSocket and Hyperdrive. Faults are global, so this file has a stack of its own. On the
// machinery's fixture (./fixture.ts): a keyed POST /notes (a note and its topic's count) and a keyed
// move (an interactive transaction).
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleConnections } from "../src/connections";
import { DATABASE_PATHS, type WorkerUnderTest } from "../src/worker-under-test";
import { createNote, createTopic, driftedTopics, startFixtureUnderTest } from "./fixture";
import { type Timed, timedCall, untilNoOpenSockets } from "./helpers";

const TRIALS = 102; // 51 per write route
type Write = "POST /notes" | "POST /notes/{id}/move";
const WRITES: Write[] = ["POST /notes", "POST /notes/{id}/move"];

describe.each(DATABASE_PATHS)("exactly once, over %s", (via) => {
  let target: WorkerUnderTest;
  beforeAll(async () => {
    target = await startFixtureUnderTest({ connectTimeoutMs: 5_000, via });
  }, 120_000);
  afterAll(() => target?.stop());

  const count = async (sql: string, params: unknown[]) =>
    (await target.db.query<{ n: number }>(sql, params)).rows[0]!.n;

  it(`a cut after COMMIT, ${TRIALS} trials: 0 duplicate writes, 0 lost writes, no stuck key`, async () => {
    const [a, b] = [await createTopic(target), await createTopic(target)];
    const moving = await createNote(target, a, `mover-${crypto.randomUUID()}`);
    let owner = a;
    const firstAnswers: Record<string, number> = {};
    let duplicates = 0;
    let lost = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const write = WRITES[trial % WRITES.length]!;
      const key = crypto.randomUUID();
      const marker = `once-${crypto.randomUUID()}`;
      const to = owner === a ? b : a;
      const [path, body] =
        write === "POST /notes" ? ["/notes", { text: marker, topicId: a }] : [`/notes/${moving}/move`, { topicId: to }];
      const send = () => timedCall(target, "POST", path, body, { "Idempotency-Key": key });

      await untilNoOpenSockets(target);
      const cutsBefore = target.stack.neon.counters().cut;
      target.stack.neon.setFaults({ cutAfterCommit: true });
      let first: Timed;
      try {
        first = await send();
      } finally {
        target.stack.neon.setFaults({ cutAfterCommit: false });
      }
      // The fault fired on this trial's COMMIT (so the write did commit).
      expect(target.stack.neon.counters().cut - cutsBefore, `${write} #${trial}`).toBe(1);
      firstAnswers[first.status] = (firstAnswers[first.status] ?? 0) + 1;
      expect([200, 201, 503], first.body).toContain(first.status);

      const retry = await send();
      expect(retry.status, `${write} #${trial}: ${retry.body}`).toBe(write.endsWith("move") ? 200 : 201);
      expect(retry.replayed).toBe(true);
      if (first.status !== 503) expect(JSON.parse(retry.body)).toEqual(JSON.parse(first.body));

      await settleConnections(target, 0);
      const writes =
        write === "POST /notes"
          ? await count("SELECT count(*)::int AS n FROM fixture_notes WHERE text = $1", [marker])
          : await count("SELECT count(*)::int AS n FROM fixture_notes WHERE id = $1 AND topic_id = $2", [moving, to]);
      if (writes > 1) duplicates++;
      if (writes < 1) lost++;
      expect(await count("SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1", [key])).toBe(1);
      if (write.endsWith("move")) owner = to;
    }
    console.log(`[exactly-once over ${via}] ${TRIALS} trials; first answers ${JSON.stringify(firstAnswers)}`);
    expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });
    expect(await driftedTopics(target.db)).toBe(0);
  }, 300_000);

  it("a request that hangs before its COMMIT: a retry is told to wait, then takes over within the bound", async () => {
    const topicId = await createTopic(target);
    const key = crypto.randomUUID();
    const text = `hung-${key}`;
    const send = (signal?: AbortSignal) =>
      fetch(`${target.origin}/notes`, {
        method: "POST",
        signal,
        headers: {
          Authorization: `Bearer ${target.apiToken}`,
          "Content-Type": "application/json",
          "Idempotency-Key": key,
        },
        body: JSON.stringify({ text, topicId }),
      });
    await untilNoOpenSockets(target);
    const frozenBefore = target.stack.neon.counters().frozen;
    target.stack.neon.setFaults({ freezeAtCommit: true });
    const abandoned = new AbortController();
    const hung = send(abandoned.signal).catch(() => undefined);
    try {
      for (let i = 0; i < 200 && target.stack.neon.counters().frozen === frozenBefore; i++) await sleep(50);
      expect(target.stack.neon.counters().frozen).toBe(frozenBefore + 1);
      target.stack.neon.setFaults({ freezeAtCommit: false });
      const frozenAt = Date.now();

      // The hung transaction holds the topic's row and the note's text: a retry waits lockTimeoutMs
      // (3 s of the default 5 s), then 409 + Retry-After.
      const blocked = await send();
      expect(blocked.status, await blocked.clone().text()).toBe(409);
      expect(blocked.headers.get("Retry-After")).toBe("1");
      await blocked.body?.cancel();

      // Postgres ends the idle transaction (idle_in_transaction_session_timeout, 10 s): the next
      // retry writes, once.
      let took: Response | undefined;
      while (Date.now() - frozenAt < 20_000) {
        const res = await send();
        if (res.status === 201) {
          took = res;
          break;
        }
        expect(res.status).toBe(409);
        await res.body?.cancel();
        await sleep(1_000);
      }
      expect(took?.status).toBe(201);
      expect(Date.now() - frozenAt).toBeLessThan(16_000);
      expect(await count("SELECT count(*)::int AS n FROM fixture_notes WHERE text = $1", [text])).toBe(1);
      expect(await count("SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1", [key])).toBe(1);
    } finally {
      target.stack.neon.setFaults({ freezeAtCommit: false });
      abandoned.abort();
      await hung;
    }
    expect(await driftedTopics(target.db)).toBe(0);
  }, 60_000);

  it("a request cut anywhere before its COMMIT leaves no key behind: the retry writes, once, at once", async () => {
    const topicId = await createTopic(target);
    const notes = async (text: string) => count("SELECT count(*)::int AS n FROM fixture_notes WHERE text = $1", [text]);
    let written = false;
    // Cut after 1, 2, … client messages: every position from the connect to the COMMIT.
    for (let n = 1; n <= 40 && !written; n++) {
      const key = crypto.randomUUID();
      const text = `cut-${n}-${key}`;
      const send = () => timedCall(target, "POST", "/notes", { text, topicId }, { "Idempotency-Key": key });
      await untilNoOpenSockets(target);
      target.stack.neon.setFaults({ cutAfterMessages: n });
      const first = await send().finally(() => target.stack.neon.setFaults({ cutAfterMessages: 0 }));
      written = first.status === 201;
      if (!written) {
        expect(first.status).toBe(503);
        await settleConnections(target, 0);
        expect(await notes(text)).toBe(0);
        expect(await count("SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1", [key])).toBe(0);
      }
      // Never a 409 "in progress", never a wait: the key died with the request's transaction.
      const retry = await send();
      expect(retry.status, retry.body).toBe(201);
      expect(await notes(text)).toBe(1);
    }
    expect(written).toBe(true);
    expect(await driftedTopics(target.db)).toBe(0);
  }, 120_000);
});
