// The Worker the fault tests run against: the machinery's fixture (test/worker/fixture: topics and
// notes on the same src/api.ts frame, middleware and error handling as the Worker's own routes), so
// they test the machinery, not the demo, and keep running when the demo is removed.
import { readFileSync } from "node:fs";
import type pg from "pg";
import { type StartWorkerUnderTestOptions, startWorkerUnderTest, type WorkerUnderTest } from "../src/worker-under-test";
import { timedCall } from "./helpers";

const FIXTURE = new URL("../../../test/worker/fixture/", import.meta.url);
/** The fixture's Worker entry (on the project's wrangler.toml), for serveWorker's `entrypoint`. */
export const FIXTURE_WORKER = "test/worker/fixture/worker.ts";

export function startFixtureUnderTest(opts: StartWorkerUnderTestOptions = {}): Promise<WorkerUnderTest> {
  return startWorkerUnderTest({
    ...opts,
    entrypoint: FIXTURE_WORKER,
    setupSql: readFileSync(new URL("tables.sql", FIXTURE), "utf8"),
  });
}

export async function createTopic(target: WorkerUnderTest): Promise<string> {
  const res = await timedCall(target, "POST", "/topics");
  if (res.status !== 201) throw new Error(`creating a topic: HTTP ${res.status}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

export async function createNote(target: WorkerUnderTest, topicId: string, text: string): Promise<string> {
  const res = await timedCall(target, "POST", "/notes", { text, topicId });
  if (res.status !== 201) throw new Error(`creating a note: HTTP ${res.status}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

/** Topics whose note_count differs from their notes (a write lost, or applied twice). */
export async function driftedTopics(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM fixture_topics t
    WHERE t.note_count <> (SELECT count(*) FROM fixture_notes n WHERE n.topic_id = t.id)`);
  return rows[0]!.n;
}
