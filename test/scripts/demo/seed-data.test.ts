// The demo's seed (scripts/db/seed-data.ts): its users and posts, re-runnable, counters kept true.
// Goes with the demo (README, "Remove the demo"); the runner's own test is test/scripts/seed.test.ts.

import { type LocalPostgres, startLocalPostgres } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase } from "../../../scripts/db/seed.js";
import { SEED_POSTS, SEED_USERS } from "../../../scripts/db/seed-data.js";
import { createMigratedDatabase, query, runScript } from "../helpers.js";

let pgServer: LocalPostgres;
let url: string;

const counts = async () => {
  const [row] = await query<{ users: number; posts: number }>(
    url,
    "SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM posts) AS posts",
  );
  return row;
};

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
  url = await createMigratedDatabase(pgServer.url, "seed");
});

afterAll(async () => {
  await pgServer?.stop();
});

describe("the demo's seed", () => {
  it("seeds, and a second run (as `npm run db:seed` would) changes nothing", async () => {
    const first = await seedDatabase(url, { log: () => {} });
    expect(first).toEqual({ seeded: true, summary: `${SEED_USERS.length} users, ${SEED_POSTS.length} posts` });
    const snapshot = async () => ({
      users: await query(url, "SELECT * FROM users ORDER BY email"),
      posts: await query(url, "SELECT * FROM posts ORDER BY id"),
    });
    const before = await snapshot();

    const again = await runScript("scripts/db/seed.ts", [], { DIRECT_URL: url });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(await counts()).toEqual({ users: SEED_USERS.length, posts: SEED_POSTS.length });
    expect(await snapshot()).toEqual(before); // not even updated_at moves
  });

  it("keeps users.post_count equal to the author's posts", async () => {
    const rows = await query<{ email: string; post_count: number; actual: number }>(
      url,
      "SELECT email, post_count, (SELECT count(*)::int FROM posts p WHERE p.author_id = u.id) AS actual FROM users u",
    );
    for (const r of rows) expect(r.post_count).toBe(r.actual);
  });

  it("brings back a deleted demo post, keeps an edited one as edited (what the docs say it does)", async () => {
    const [gone, edited] = SEED_POSTS;
    await query(url, "DELETE FROM posts WHERE id = $1", [gone!.id]);
    await query(url, "UPDATE posts SET title = 'Mine now' WHERE id = $1", [edited!.id]);
    await seedDatabase(url, { log: () => {} });
    expect(await query(url, "SELECT title FROM posts WHERE id = $1", [gone!.id])).toEqual([{ title: gone!.title }]);
    expect(await query(url, "SELECT title FROM posts WHERE id = $1", [edited!.id])).toEqual([{ title: "Mine now" }]);
    expect(await counts()).toEqual({ users: SEED_USERS.length, posts: SEED_POSTS.length });
  });

  it("onlyIfEmpty leaves a database with users untouched", async () => {
    const r = await seedDatabase(url, { onlyIfEmpty: true, log: () => {} });
    expect(r.seeded).toBe(false);
  });
});
