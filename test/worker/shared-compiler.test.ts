// The isolate-wide query compiler and plan cache (src/db/shared-compiler.ts): built once per
// connection shape rather than once per request, and safe under concurrency, where every
// response must belong to its own request and nothing may cross between requests. On the
// fixture's routes (test/worker/fixture), whose keyed writes run Prisma's planned queries (the
// idempotency key's); their own statements are raw SQL, which Prisma does not plan.
import { afterEach, describe, expect, it, vi } from "vitest";
import { sharedCompilerCounts } from "../../src/db/shared-compiler";
import { call, createNote, createTopic, type Note, type Topic, uniqueText } from "./fixture/client";

afterEach(() => vi.restoreAllMocks());

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
    // 30 more requests and 30 more clients, no new compiler: HTTP and WebSocket (or Hyperdrive's
    // one) shapes, plus the warm-up's.
    expect(after.compilersBuilt).toBe(before.compilersBuilt);
    expect(after.compilersBuilt).toBeLessThanOrEqual(3);
    expect(after.planMisses).toBe(before.planMisses);
    expect(after.planHits - before.planHits).toBeGreaterThanOrEqual(40);
  });

  it("1,000 mixed requests at concurrency 64: each response is its own request's, nothing crosses", async () => {
    const warnings = vi.spyOn(console, "warn");
    const errors = vi.spyOn(console, "error");
    // Moves go from a source topic to a target topic, never back, so no two lock in opposite orders.
    const sources = await Promise.all(Array.from({ length: 4 }, () => createTopic()));
    const targets = await Promise.all(Array.from({ length: 4 }, () => createTopic()));
    const known = await Promise.all(sources.map((topic) => createNote(topic.id)));
    const TOTAL = 1000;
    const CONCURRENCY = 64;
    const wrong: string[] = [];
    const check = (label: string, ok: boolean) => {
      if (!ok && wrong.length < 10) wrong.push(label);
    };

    const one = async (i: number) => {
      const from = sources[i % sources.length]!;
      const to = targets[i % targets.length]!;
      switch (i % 5) {
        case 0: {
          // A read by id: the row asked for, not another request's.
          const asked = known[i % known.length]!;
          const res = await call(`/notes/${asked.id}`);
          const body = (await res.json()) as Note;
          check(`read ${i}: ${res.status} ${body.id}`, res.status === 200 && body.id === asked.id);
          return;
        }
        case 1: {
          const res = await call(`/notes?topicId=${to.id}`);
          const body = (await res.json()) as { items: Note[] };
          check(`list ${i}: ${res.status}`, res.status === 200 && body.items.every((n) => n.topicId === to.id));
          return;
        }
        case 2: {
          // A keyed write (its own transaction): the note it created has the text it sent.
          const text = uniqueText(`c${i}`);
          const res = await call("/notes", keyed({ text, topicId: from.id }));
          const body = (await res.json()) as Note;
          check(`create ${i}: ${res.status} ${body.text}`, res.status === 201 && body.text === text);
          return;
        }
        case 3: {
          // One statement: the note and its topic's count.
          const text = uniqueText(`s${i}`);
          const res = await call("/notes", { method: "POST", json: { text, topicId: from.id } });
          const body = (await res.json()) as Note;
          check(`statement ${i}: ${res.status}`, res.status === 201 && body.text === text && body.topicId === from.id);
          return;
        }
        default: {
          // An interactive transaction: read the note, check, move it and both counts.
          const note = await createNote(from.id, uniqueText(`m${i}`));
          const res = await call(`/notes/${note.id}/move`, keyed({ topicId: to.id }));
          const body = (await res.json()) as Note;
          check(`move ${i}: ${res.status}`, res.status === 200 && body.id === note.id && body.topicId === to.id);
        }
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) await one(next++);
      }),
    );
    expect(wrong).toEqual([]);
    const logged = [...warnings.mock.calls, ...errors.mock.calls].map((c) => String(c[0])).join("\n");
    expect(logged).not.toMatch(/different request|Cannot perform I\/O/);
    // Every topic's count equals its notes: no write was lost or applied twice.
    for (const topic of [...sources, ...targets]) {
      const { noteCount } = (await (await call(`/topics/${topic.id}`)).json()) as Topic;
      const { items } = (await (await call(`/notes?topicId=${topic.id}`)).json()) as { items: unknown[] };
      expect(noteCount).toBe(items.length);
    }
  }, 120_000);
});
