import type { Database } from "../db/prisma";
import { ProblemError } from "../errors/problem";
import type { Post, Prisma } from "../generated/prisma/client";

// Writes that touch a post and its author's postCount. Each runs in one interactive transaction,
// so the counter never drifts: if any statement fails, nothing is written. Interactive
// transactions need withPrisma("transaction") (WebSocket or Hyperdrive); over HTTP Prisma refuses (P2036).

/** Creates the post and bumps its author's postCount. Unknown author → P2003 → 422. */
export function createPost(prisma: Database, data: Prisma.PostUncheckedCreateInput): Promise<Post> {
  return prisma.$transaction(async (tx) => {
    const post = await tx.post.create({ data });
    await tx.user.update({ where: { id: post.authorId }, data: { postCount: { increment: 1 } } });
    return post;
  });
}

/** Deletes the post and decrements its author's postCount. Unknown post → 404. */
export function deletePost(prisma: Database, id: string): Promise<void> {
  return prisma.$transaction(async (tx) => {
    const post = await tx.post.delete({ where: { id }, select: { authorId: true } });
    await tx.user.update({ where: { id: post.authorId }, data: { postCount: { decrement: 1 } } });
  });
}

/**
 * Moves a post to another author, keeping both counters right. Invariants: the post exists
 * (404), the target is a different author (409) who exists (422). The target is checked by the
 * UPDATE after the source's counter has already changed: if it fails, that change is rolled back.
 */
export function movePost(prisma: Database, id: string, toAuthorId: string): Promise<Post> {
  return prisma.$transaction(async (tx) => {
    const post = await tx.post.findUnique({ where: { id }, select: { authorId: true } });
    if (!post) throw new ProblemError(404, "The post does not exist.", { type: "urn:problem-type:not-found" });
    if (post.authorId === toAuthorId) {
      throw new ProblemError(409, "The post already belongs to this author.", { type: "urn:problem-type:no-op-move" });
    }
    await tx.user.update({ where: { id: post.authorId }, data: { postCount: { decrement: 1 } } });
    const moved = await tx.user.updateMany({ where: { id: toAuthorId }, data: { postCount: { increment: 1 } } });
    if (moved.count === 0) {
      throw new ProblemError(422, "The target author does not exist.", {
        type: "urn:problem-type:reference-violation",
        errors: [{ in: "json", pointer: "/authorId", detail: "no such user" }],
      });
    }
    return tx.post.update({ where: { id }, data: { authorId: toAuthorId } });
  });
}
