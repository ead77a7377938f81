import type { Database } from "../db/prisma";
import { retryOnConflict } from "../db/retry";
import { ProblemError } from "../errors/problem";
import type { Post, Prisma } from "../generated/prisma/client";
import type { Me } from "./users";

// Posts, written with Prisma's own calls. Each author's postCount is kept by a Postgres trigger
// (prisma/migrations/20261206211500_post_count_trigger): any INSERT, DELETE or change of authorId of
// a post adjusts it in the same statement, so these writes (and any a forker adds) cannot drift it.

/**
 * The posts `me` may change: its own (an admin's: any). Added to a write's `where`, so another
 * user's post is not found: the same 404 as no post, which tells nothing of its existence.
 */
export function changeableBy(me: Me): { authorId?: string } {
  if (me.admin) return {};
  // Never an empty filter for a non-admin: Prisma drops an undefined authorId, which would match all.
  if (!me.userId) throw new Error("a caller who is not an admin has a user");
  return { authorId: me.userId };
}

/** The posts `me` may read: its own, anyone's published ones (an admin's: any). */
export const readableBy = (me: Me): { OR?: Prisma.PostWhereInput[] } =>
  me.admin ? {} : { OR: [changeableBy(me), { status: "PUBLISHED" }] };

/** What a new post may say; the rest (id, timestamps, default status and content) is the database's. */
export type NewPost = Pick<Prisma.PostUncheckedCreateInput, "title" | "content" | "status" | "authorId">;

/**
 * One INSERT (the trigger bumps the author's postCount): one round trip on every path, no
 * transaction. A missing author fails the foreign key: 422 /authorId (src/errors/prisma.ts).
 */
export function createPost(prisma: Database, data: NewPost): Promise<Post> {
  return prisma.post.create({ data });
}

/** One DELETE (the trigger takes one from the author's postCount). Unknown post, or not `me`'s: P2025, a 404. */
export async function deletePost(prisma: Database, id: string, me: Me): Promise<void> {
  await prisma.post.delete({ where: { id, ...changeableBy(me) } });
}

/**
 * Moves a post to another author: the pattern to copy for an interactive transaction, "lock what
 * you read, check, then write". Invariants: the post exists and is `me`'s to move (404), the target
 * is a different author (409) who exists (the foreign key: 422). The trigger moves the count from one author to the other,
 * locking them in id order after the post, so crossing moves cannot deadlock. A deadlock or
 * serialization failure is retried (db/retry.ts), then answered 409 + Retry-After.
 */
export function movePost(prisma: Database, id: string, toAuthorId: string, me: Me): Promise<Post> {
  return retryOnConflict(() =>
    prisma.$transaction(async (tx) => {
      // Locks the post's row (a write does) and reads its author under that lock: a concurrent
      // move or delete of it waits here, and then this one reads what that one committed.
      const { authorId: fromAuthorId } = await move.lock(tx, id, changeableBy(me));
      if (fromAuthorId === toAuthorId) {
        throw new ProblemError(409, "The post already belongs to this author.", {
          type: "urn:problem-type:no-op-move",
        });
      }
      return move.reassign(tx, id, toAuthorId);
    }),
  );
}

/** The move's queries: movePost runs them, and the warm-up plans them (movePostQueries). */
const move = {
  /** An update that changes nothing but updatedAt takes the row lock; a missing post is P2025 (404). */
  lock: (tx: Database, id: string, owned: { authorId?: string }) =>
    tx.post.update({ where: { id, ...owned }, data: { updatedAt: new Date() }, select: { authorId: true } }),
  reassign: (tx: Database, id: string, authorId: string) => tx.post.update({ where: { id }, data: { authorId } }),
};

/** The move's queries with placeholder ids, an admin's and a user's, planned at startup (listed in src/app.ts). */
export const movePostQueries = (tx: Database) => {
  const [post, author, owner] = [
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
    "00000000-0000-4000-8000-000000000003",
  ];
  return [
    () => move.lock(tx, post, {}),
    () => move.lock(tx, post, changeableBy({ userId: owner, admin: false })),
    () => move.reassign(tx, post, author),
  ];
};
