import { describe, expect, it } from "vitest";
import { createTopic, getTopic, call as onFixture, uniqueText } from "./fixture/client";
import { call } from "./helpers";
import { transportOf } from "./paths";

// Runs in every worker project: on real PostgreSQL, on the embedded PGlite fallback, on Hyperdrive.
describe("smoke", () => {
  it.each(["transaction", "statement"] as const)("the Worker's GET /health?need=%s", async (need) => {
    const res = await call(`/health?need=${need}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: "up", transport: transportOf(need) });
  });

  it("writes through a transaction and reads back with a single statement", async () => {
    const topic = await createTopic();
    const note = await onFixture("/notes", {
      method: "POST",
      headers: { "Idempotency-Key": crypto.randomUUID() },
      json: { text: uniqueText("smoke"), topicId: topic.id },
    });
    expect(note.status).toBe(201);
    expect(await getTopic(topic.id)).toMatchObject({ id: topic.id, noteCount: 1 });
  });
});
