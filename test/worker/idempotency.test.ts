import { describe, expect, it } from "vitest";
import { hex, sha256 } from "../../src/lib/hash";
import { call, callWith, createNote, createTopic, getTopic, uniqueText } from "./fixture/client";
import { holdInTransaction, holdTopicRow, problemOf, TOKEN } from "./helpers";

// On the fixture's routes (test/worker/fixture): POST /notes is one statement, or with a key the
// idempotency transaction; POST /notes/{id}/move is an interactive transaction.

const post = (path: string, key: string, json: unknown) =>
  call(path, { method: "POST", headers: { "Idempotency-Key": key }, json });

const notesOf = async (topicId: string) =>
  ((await (await call(`/notes?topicId=${topicId}`)).json()) as { items: unknown[] }).items.length;

describe("Idempotency-Key on POST", () => {
  it("a retry replays the first response, status, body and headers (Location), and writes nothing new", async () => {
    const key = crypto.randomUUID();
    const topic = await createTopic();
    const body = { text: uniqueText("idem"), topicId: topic.id };
    const first = await post("/notes", key, body);
    expect(first.status).toBe(201);
    const created = await first.json();

    const retry = await post("/notes", key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(retry.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(retry.headers.get("Content-Type")).toBe(first.headers.get("Content-Type"));
    expect(retry.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
    expect(await retry.json()).toEqual(created);
    expect(await notesOf(topic.id)).toBe(1);
    expect((await getTopic(topic.id)).noteCount).toBe(1);
  });

  it("an interactive transaction honours it: a retried move moves once", async () => {
    const [a, b] = [await createTopic(), await createTopic()];
    const moved = await createNote(a.id);
    const key = crypto.randomUUID();
    const first = await post(`/notes/${moved.id}/move`, key, { topicId: b.id });
    const retry = await post(`/notes/${moved.id}/move`, key, { topicId: b.id });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect([(await getTopic(a.id)).noteCount, (await getTopic(b.id)).noteCount]).toEqual([0, 1]);
  });

  it("422 when the same key comes with a different body", async () => {
    const key = crypto.randomUUID();
    const { id: topicId } = await createTopic();
    expect((await post("/notes", key, { text: uniqueText("idem"), topicId })).status).toBe(201);
    const other = await post("/notes", key, { text: uniqueText("idem"), topicId });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe("urn:problem-type:idempotency-key-reused");
  });

  it("keys are scoped by caller and by route: the same key elsewhere is another key", async () => {
    const key = crypto.randomUUID();
    const [a, b] = [await createTopic(), await createTopic()];
    expect((await post("/notes", key, { text: uniqueText("scope"), topicId: a.id })).status).toBe(201);
    // Another caller (another token), same key, same route: a write of its own.
    const otherToken = "another-callers-token-0123456789";
    const other = await callWith({ API_TOKEN: otherToken }, "/notes", {
      method: "POST",
      headers: { Authorization: `Bearer ${otherToken}`, "Idempotency-Key": key },
      json: { text: uniqueText("scope"), topicId: a.id },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get("Idempotency-Replayed")).toBeNull();
    // The same caller, same key, another route.
    const note = await createNote(a.id);
    const onMove = await post(`/notes/${note.id}/move`, key, { topicId: b.id });
    expect(onMove.status).toBe(200);
    expect(onMove.headers.get("Idempotency-Replayed")).toBeNull();
  });

  it("concurrent retries: exactly one write, and every one of them answers with it", async () => {
    const key = crypto.randomUUID();
    const topic = await createTopic();
    const body = { text: uniqueText("race"), topicId: topic.id };
    const results = await Promise.all(Array.from({ length: 5 }, () => post("/notes", key, body)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers.get("Idempotency-Replayed") === "true")).toHaveLength(4);
    expect(await notesOf(topic.id)).toBe(1);
    expect((await getTopic(topic.id)).noteCount).toBe(1);
  });

  it("a failed request writes nothing and keeps no key: fixing the body and retrying with it works", async () => {
    const key = crypto.randomUUID();
    const topic = await createTopic();
    const taken = await createNote(topic.id);
    expect((await post("/notes", key, { text: taken.text, topicId: topic.id })).status).toBe(409);
    // A move that fails after its counter UPDATEs (unknown target): rolled back with the key.
    const moveKey = crypto.randomUUID();
    const move = (topicId: string) => post(`/notes/${taken.id}/move`, moveKey, { topicId });
    expect((await move(crypto.randomUUID())).status).toBe(422);
    expect((await getTopic(topic.id)).noteCount).toBe(1);
    const other = await createTopic();
    expect((await move(other.id)).status).toBe(200);
    expect((await post("/notes", key, { text: uniqueText("fixed"), topicId: topic.id })).status).toBe(201);
    expect((await getTopic(topic.id)).noteCount).toBe(1);
  });

  /**
   * A keyed POST /notes under a 1 s transaction timeout while `hold` holds rows in a transaction of
   * its own (until the answer): a 409 + Retry-After of `type`, nothing written; then, the holder
   * gone, the retry writes once.
   */
  async function keyedWriteWhileHeld(
    hold: (topicId: string, key: string) => Promise<{ release: () => Promise<void> }>,
    type: string,
  ): Promise<void> {
    const key = crypto.randomUUID();
    const topic = await createTopic();
    const body = { text: uniqueText("held"), topicId: topic.id };
    const holder = await hold(topic.id, key);
    const res = await callWith({ DB_TRANSACTION_TIMEOUT_MS: "1000" }, "/notes", {
      method: "POST",
      headers: { "Idempotency-Key": key },
      json: body,
    });
    await holder.release();
    expect(res.status, await res.clone().text()).toBe(409);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect((await problemOf(res)).type).toBe(type);
    expect(await notesOf(topic.id)).toBe(0);
    expect((await post("/notes", key, body)).status).toBe(201);
    expect((await getTopic(topic.id)).noteCount).toBe(1);
  }

  // The lock wait is derived from DB_TRANSACTION_TIMEOUT_MS: as a constant (3 s) it outlived a
  // shorter transaction timeout, and a blocked retry got the timeout's 503 instead of the 409.
  it("a keyed write blocked by another transaction's rows: 409 rows-locked, also under a short DB_TRANSACTION_TIMEOUT_MS", async () => {
    // The topic's row (the write bumps its count), held by some transaction: not said to be an
    // earlier request with this key.
    await keyedWriteWhileHeld((topicId) => holdTopicRow(topicId), "urn:problem-type:rows-locked");
  });

  it("a keyed write whose key an unfinished request holds: 409 idempotency-key-in-progress", async () => {
    // An earlier request with this key, mid-transaction: its key recorded, not committed (it dies).
    const caller = `service:${hex(await sha256(TOKEN)).slice(0, 32)}`;
    await keyedWriteWhileHeld(
      (_, key) =>
        holdInTransaction((tx) =>
          tx.idempotencyKey.create({
            data: { caller, route: "POST /notes", key, fingerprint: "earlier", status: 201, headers: {}, body: "" },
          }),
        ),
      "urn:problem-type:idempotency-key-in-progress",
    );
  });

  it("400 for a malformed key", async () => {
    const res = await post("/notes", "has spaces in it", { text: uniqueText(), topicId: crypto.randomUUID() });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.[0]?.pointer).toBe("/idempotency-key");
  });
});
