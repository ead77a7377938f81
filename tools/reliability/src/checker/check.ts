// Checks a run's history against Postgres itself, after the run. Each violation is one line naming
// the operation (its index in the schedule) and what is wrong.
import type pg from "pg";
import { checkInvariants } from "../invariants.js";
import type { Answer, History } from "./run.js";

/** 409s that tell the client to try again; each must say when (Retry-After). */
const RETRYABLE_409 = /idempotency-key-in-progress|rows-locked|concurrent-conflict/;

interface Row {
  id: string;
}

export async function check(db: pg.Pool, history: History): Promise<string[]> {
  const violations: string[] = [];
  const posts = new Set((await db.query<Row>("SELECT id FROM posts")).rows.map((r) => r.id));
  const users = new Set((await db.query<Row>("SELECT id FROM users")).rows.map((r) => r.id));
  const keyRows = new Map(
    (
      await db.query<{ key: string; route: string; body: string; status: number }>(
        "SELECT key, route, response_body AS body, response_status AS status FROM idempotency_keys",
      )
    ).rows.map((r) => [r.key, r]),
  );
  // A created post may be gone only with its author (users' DELETE cascades to their posts).
  const postAuthors = new Map<string, string>();

  const invariants = await checkInvariants(db);
  if (invariants.driftedCounters)
    violations.push(`${invariants.driftedCounters} users' postCount differs from their posts`);
  if (invariants.orphanPosts) violations.push(`${invariants.orphanPosts} posts whose author does not exist`);

  const firstAnswerOfKey = new Map<string, { index: number; answer: Answer }>();
  for (const { index, op, attempts } of history.entries) {
    const at = `#${index} ${op.kind}`;
    for (const answer of attempts) {
      if (answer.status >= 500 && answer.status !== 503)
        violations.push(`${at}: ${answer.status} ${answer.body.slice(0, 200)}`);
      if (answer.status === 503 && !answer.headers["retry-after"]) violations.push(`${at}: 503 without Retry-After`);
      if (answer.status === 409 && RETRYABLE_409.test(answer.body) && !answer.headers["retry-after"])
        violations.push(`${at}: 409 asking for a retry without Retry-After`);
    }
    const ok = attempts.filter((a) => a.status >= 200 && a.status < 300);
    // Every replay equals the first answer, headers included (but the replay marker).
    if ("key" in op && op.key) {
      for (const answer of ok) {
        const first = firstAnswerOfKey.get(op.key);
        if (!first) firstAnswerOfKey.set(op.key, { index, answer });
        else if (!sameAnswer(first.answer, answer))
          violations.push(`${at}: key ${op.key} answered differently than at #${first.index}`);
      }
    }
    for (const answer of ok) {
      if (op.kind === "createPost" || op.kind === "createUser") {
        const { id, authorId } = JSON.parse(answer.body) as { id: string; authorId?: string };
        const where = op.kind === "createPost" ? `/posts/${id}` : `/users/${id}`;
        if (answer.headers.location !== where)
          violations.push(`${at}: Location ${answer.headers.location} for ${where}`);
        if (op.kind === "createUser" && !users.has(id)) violations.push(`${at}: created user ${id} is missing`);
        if (op.kind === "createPost") postAuthors.set(id, authorId!);
      }
      if (op.kind === "deletePost" && posts.has(history.pools.posts[op.post]!))
        violations.push(`${at}: deleted post ${history.pools.posts[op.post]} still exists`);
    }
  }
  for (const [id, author] of postAuthors) {
    if (!posts.has(id) && users.has(author)) violations.push(`created post ${id} is missing, its author is not`);
  }

  // No keyed write without its key row, and no key row without its write.
  for (const [key] of firstAnswerOfKey)
    if (!keyRows.has(key)) violations.push(`key ${key} answered 2xx, has no key row`);
  for (const [key, row] of keyRows) {
    if (row.route === "POST /posts") {
      const { id, authorId } = JSON.parse(row.body) as { id: string; authorId: string };
      if (!posts.has(id) && users.has(authorId)) violations.push(`key ${key}'s post ${id} does not exist`);
    }
    if (row.route === "POST /users" && !users.has((JSON.parse(row.body) as Row).id))
      violations.push(`key ${key}'s user does not exist`);
  }
  const keyedPosts = await db.query<{ title: string }>("SELECT title FROM posts WHERE title LIKE 'chk chk-%'");
  for (const { title } of keyedPosts.rows) {
    const key = title.slice("chk ".length);
    if (!keyRows.has(key)) violations.push(`post "${title}" was written by a keyed request whose key row is missing`);
  }
  const titles = new Map<string, number>();
  for (const { title } of keyedPosts.rows) titles.set(title, (titles.get(title) ?? 0) + 1);
  for (const [title, n] of titles) if (n > 1) violations.push(`post "${title}" was written ${n} times`);
  return violations;
}

function sameAnswer(a: Answer, b: Answer): boolean {
  const headers = (x: Answer) =>
    JSON.stringify(
      Object.entries(x.headers)
        .filter(([name]) => name !== "idempotency-replayed")
        .sort(),
    );
  return a.status === b.status && a.body === b.body && headers(a) === headers(b);
}
