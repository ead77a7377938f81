// users.post_count is kept by a Postgres trigger (prisma/migrations/*_post_count_trigger), not by
// the API: writes that never go through src/services/posts.ts (Prisma's bulk calls, a change of
// authorId, the cascade of a user's delete, plain SQL) keep it equal to the posts it counts.
import { describe, expect, it } from "vitest";
import { auth, call, withDb } from "../helpers";
import { createPost, createUser } from "./helpers";

/** Each user's postCount next to the posts that name them, from Postgres. */
const counts = (ids: string[]) =>
  withDb(async (db) => {
    const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, postCount: true } });
    return Promise.all(
      ids.map(async (id) => ({
        postCount: users.find((u) => u.id === id)?.postCount,
        posts: await db.post.count({ where: { authorId: id } }),
      })),
    );
  });

describe("the postCount trigger, on writes the API does not make", () => {
  it("createMany, updateMany of authorId, update of authorId, deleteMany, and raw SQL", async () => {
    const [a, b] = [await createUser(), await createUser()];
    await withDb(async (db) => {
      await db.post.createMany({ data: [1, 2, 3, 4].map((i) => ({ title: `bulk ${i}`, authorId: a.id })) });
      expect(await counts([a.id, b.id])).toEqual([
        { postCount: 4, posts: 4 },
        { postCount: 0, posts: 0 },
      ]);
      const [first, second] = await db.post.findMany({ where: { authorId: a.id }, orderBy: { title: "asc" } });
      await db.post.updateMany({ where: { id: { in: [first!.id, second!.id] } }, data: { authorId: b.id } });
      expect(await counts([a.id, b.id])).toEqual([
        { postCount: 2, posts: 2 },
        { postCount: 2, posts: 2 },
      ]);
      await db.post.update({ where: { id: first!.id }, data: { authorId: a.id } });
      // Not a move: the counts stay.
      await db.post.update({ where: { id: first!.id }, data: { title: "renamed", authorId: a.id } });
      expect(await counts([a.id, b.id])).toEqual([
        { postCount: 3, posts: 3 },
        { postCount: 1, posts: 1 },
      ]);
      await db.post.deleteMany({ where: { authorId: a.id } });
      await db.$executeRaw`INSERT INTO posts (title, author_id, updated_at) VALUES ('raw', ${b.id}::uuid, now())`;
      expect(await counts([a.id, b.id])).toEqual([
        { postCount: 0, posts: 0 },
        { postCount: 2, posts: 2 },
      ]);
    });
  });

  it("bumps the author's updatedAt, as the API's writes did", async () => {
    const author = await createUser();
    const before = await withDb((db) => db.user.findUniqueOrThrow({ where: { id: author.id } }));
    await createPost(author.id);
    const after = await withDb((db) => db.user.findUniqueOrThrow({ where: { id: author.id } }));
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
  });

  it("deleting a user cascades to their posts without an error; other authors' counts stay", async () => {
    const [gone, stays] = [await createUser(), await createUser()];
    await Promise.all([createPost(gone.id), createPost(gone.id), createPost(stays.id)]);
    expect((await call(`/users/${gone.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect(await counts([gone.id, stays.id])).toEqual([
      { postCount: undefined, posts: 0 },
      { postCount: 1, posts: 1 },
    ]);
  });
});
