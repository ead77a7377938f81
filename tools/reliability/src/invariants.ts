// The data invariants every fault and load run must leave intact, read straight from Postgres.
import type pg from "pg";

export interface InvariantReport {
  /** Users whose post_count differs from their number of posts. */
  driftedCounters: number;
  /** Posts whose author does not exist (the foreign key should make this impossible). */
  orphanPosts: number;
  posts: number;
}

export async function checkInvariants(db: pg.Pool): Promise<InvariantReport> {
  const { rows } = await db.query<InvariantReport>(`
    SELECT
      (SELECT count(*)::int FROM users u
        WHERE u.post_count <> (SELECT count(*) FROM posts p WHERE p.author_id = u.id)) AS "driftedCounters",
      (SELECT count(*)::int FROM posts p
        WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.author_id)) AS "orphanPosts",
      (SELECT count(*)::int FROM posts) AS posts`);
  return rows[0]!;
}
