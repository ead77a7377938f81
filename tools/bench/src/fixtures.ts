// The rows the bench's requests work on, written straight to the local Postgres before the run:
// an author with posts, two authors to move posts between, and spare users and posts for the
// deletes to consume (each delete needs a row of its own).
import pg from "pg";
import type { Fixtures } from "./cases";

const SPARE = 2_000;

/** The demo was removed (README, "Remove the demo"): the bench has nothing to measure, and its tests skip. */
export class DemoMissingError extends Error {
  constructor() {
    super(
      "the bench measures the demo's users/posts endpoints (tools/bench/src/cases.ts), and the migrated database has no users or posts table: point its cases at your routes",
    );
  }
}

export async function createFixtures(directUrl: string): Promise<Fixtures> {
  const db = new pg.Client({ connectionString: directUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ demo: boolean }>(
      "SELECT to_regclass('users') IS NOT NULL AND to_regclass('posts') IS NOT NULL AS demo",
    );
    if (!rows[0]?.demo) throw new DemoMissingError();
    const tag = `${process.pid}-${Date.now().toString(36)}`;
    const ids = async (sql: string, params: unknown[]) =>
      (await db.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
    const newUsers = (n: number, kind: string) =>
      ids(
        `INSERT INTO users (email, name, updated_at) SELECT 'bench-' || $1 || '-' || $2 || '-' || i || '@example.test', 'Bench', now() FROM generate_series(1, $3) AS i RETURNING id`,
        [kind, tag, n],
      );
    /** n posts of `author` (the database's trigger counts them in its post_count). */
    const newPosts = (author: string, n: number) =>
      ids(
        `INSERT INTO posts (author_id, title, updated_at) SELECT $1, 'bench ' || i, now() FROM generate_series(1, $2) AS i RETURNING id`,
        [author, n],
      );
    const [userId, moverA, moverB] = await newUsers(3, "author");
    const [postId] = await newPosts(userId!, 1);
    const [prismaPost, rawPost] = await newPosts(moverA!, 2);
    const spareUsers = await newUsers(SPARE, "spare");
    const sparePosts = await newPosts(userId!, SPARE);
    const take = (pool: string[], what: string) => () => {
      const id = pool.pop();
      if (!id) throw new Error(`the bench ran out of spare ${what} (${SPARE} made)`);
      return id;
    };
    return {
      userId: userId!,
      postId: postId!,
      movable: {
        prisma: { id: prismaPost!, owner: moverA!, other: moverB! },
        raw: { id: rawPost!, owner: moverA!, other: moverB! },
      },
      takeUser: take(spareUsers, "users"),
      takePost: take(sparePosts, "posts"),
    };
  } finally {
    await db.end();
  }
}
