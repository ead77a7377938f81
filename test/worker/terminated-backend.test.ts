// The database ends the Worker's session mid-request (pg_terminate_backend: an operator, a restart,
// a failover): SQLSTATE 57P01, which each adapter reports in its own shape. It is the database
// being unavailable for a moment, so a 503 + Retry-After, never a 500. Deterministic: the request
// waits for a row this test holds, and only the backend blocked by this test's is terminated.
import { describe, expect, it } from "vitest";
import { call, createNote, createTopic } from "./fixture/client";
import { holdInTransaction, withDb } from "./helpers";

describe("a backend terminated mid-request", () => {
  it("answers 503 + Retry-After (an interactive transaction waiting on a lock)", async () => {
    const [a, b] = [await createTopic(), await createTopic()];
    const note = await createNote(a.id);
    let holder = 0;
    const held = await holdInTransaction(async (tx) => {
      holder = (await tx.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`)[0].pid;
      await tx.$queryRaw`SELECT id FROM fixture_topics WHERE id = ${b.id}::uuid FOR UPDATE`;
    });
    try {
      const response = call(`/notes/${note.id}/move`, { method: "POST", json: { topicId: b.id } });
      let terminated = 0;
      for (let i = 0; i < 100 && terminated === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        terminated = await withDb(async (db) => {
          const rows = await db.$queryRaw<{ ok: boolean }[]>`
            SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
             WHERE ${holder}::int = ANY(pg_blocking_pids(pid))`;
          return rows.filter((r) => r.ok).length;
        });
      }
      expect(terminated).toBe(1);
      const res = await response;
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).not.toBeNull();
    } finally {
      await held.release();
    }
  });
});
