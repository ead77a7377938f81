// A key older than IDEMPOTENCY_KEY_TTL_MS that the sweep has not removed yet never replays: the
// request is new, it writes, and the key is recorded afresh. (The fixture's POST /notes.)
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_TTL_MS } from "../../src/jobs/sweep-idempotency-keys";
import { call, createTopic, getTopic, uniqueText } from "./fixture/client";
import { withDb } from "./helpers";

describe("an expired Idempotency-Key", () => {
  it("is not replayed: the retry after the TTL writes, and its key is recorded anew", async () => {
    const key = crypto.randomUUID();
    const topic = await createTopic();
    // Texts are unique in the fixture: each request a day apart says something new.
    const send = (text: string) =>
      call("/notes", { method: "POST", headers: { "Idempotency-Key": key }, json: { text, topicId: topic.id } });
    const first = await send(uniqueText("expired"));
    expect(first.status).toBe(201);
    const aged = new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 60_000);
    await withDb((db) => db.idempotencyKey.updateMany({ where: { key }, data: { createdAt: aged } }));

    const text = uniqueText("after-ttl");
    const later = await send(text);
    expect(later.status).toBe(201);
    expect(later.headers.get("Idempotency-Replayed")).toBeNull();
    expect(later.headers.get("Location")).not.toBe(first.headers.get("Location"));
    expect((await getTopic(topic.id)).noteCount).toBe(2);
    const [row] = await withDb((db) => db.idempotencyKey.findMany({ where: { key } }));
    expect(row!.createdAt.getTime()).toBeGreaterThan(aged.getTime());

    // And within the TTL the new key replays as usual.
    const replay = await send(text);
    expect(replay.headers.get("Idempotency-Replayed")).toBe("true");
    expect(replay.headers.get("Location")).toBe(later.headers.get("Location"));
  });
});
