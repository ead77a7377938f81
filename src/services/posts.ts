import type { Database } from "../db/prisma";
import { retryOnConflict } from "../db/retry";
import type { StartupQueries } from "../db/warm-up";
import { recordNotFound, referenceViolation } from "../errors/prisma";
import { ProblemError } from "../errors/problem";
import { type Post, Prisma } from "../generated/prisma/client";

// Writes that touch a post and its author's postCount, so that the counter never drifts.
// - create and delete need no read in between: each is ONE statement (a data-modifying CTE), atomic
//   like any statement, so it costs one round trip on every path (over Neon's HTTP, one /sql request)
//   and needs no interactive transaction.
// - move reads, checks invariants and then writes: a genuine interactive transaction, which needs
//   withPrisma("transaction") (WebSocket or Hyperdrive); over HTTP Prisma refuses (P2036).

/** What a new post may say; the rest (id, timestamps, default status and content) is the database's. */
export type NewPost = Pick<Prisma.PostUncheckedCreateInput, "title" | "content" | "status" | "authorId">;

/**
 * Each field of Prisma's Post type and the column it is read from. Typed by Post's keys, so a field
 * added to the model fails to compile here until the statements below return it too.
 */
const POST_COLUMNS: Record<keyof Post, string> = {
  id: "id",
  title: "title",
  content: "content",
  status: "status::text",
  authorId: "author_id",
  createdAt: "created_at",
  updatedAt: "updated_at",
};
const RETURNING_POST = Prisma.raw(
  Object.entries(POST_COLUMNS)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(", "),
);

/** A table or type name, in DATABASE_SCHEMA when set (Prisma qualifies its own queries the same way). */
const named = (schema: string | undefined, name: string) => Prisma.raw(schema ? `"${schema}"."${name}"` : `"${name}"`);

/**
 * Creates the post and bumps its author's postCount, in one statement. The author is the row the
 * UPDATE finds: no author, no row, so nothing is inserted → 422. `schema`: DATABASE_SCHEMA.
 */
export async function createPost(prisma: Database, data: NewPost, schema?: string): Promise<Post> {
  const given = [
    ["title", Prisma.sql`${data.title}`],
    ["content", data.content === undefined ? undefined : Prisma.sql`${data.content}`],
    [
      "status",
      data.status === undefined ? undefined : Prisma.sql`${data.status}::text::${named(schema, "PostStatus")}`,
    ],
  ].filter((entry): entry is [string, Prisma.Sql] => entry[1] !== undefined);
  const columns = Prisma.raw(given.map(([column]) => `"${column}"`).join(", "));
  const values = Prisma.join(given.map(([, value]) => value));
  const [post] = await prisma.$queryRaw<Post[]>`
    WITH author AS (
      UPDATE ${named(schema, "users")} SET post_count = post_count + 1, updated_at = now()
      WHERE id = ${data.authorId}::uuid RETURNING id
    )
    INSERT INTO ${named(schema, "posts")} (author_id, updated_at, ${columns})
    SELECT id, now(), ${values} FROM author
    RETURNING ${RETURNING_POST}`;
  if (!post) throw referenceViolation("authorId");
  return post;
}

/** Deletes the post and decrements its author's postCount, in one statement. Unknown post → 404. */
export async function deletePost(prisma: Database, id: string, schema?: string): Promise<void> {
  const authors = await prisma.$queryRaw<{ id: string }[]>`
    WITH post AS (DELETE FROM ${named(schema, "posts")} WHERE id = ${id}::uuid RETURNING author_id)
    UPDATE ${named(schema, "users")} SET post_count = post_count - 1, updated_at = now()
    WHERE id = (SELECT author_id FROM post) RETURNING id`;
  if (authors.length === 0) throw recordNotFound();
}

/**
 * Moves a post to another author, keeping both counters right when moves and deletes run at once.
 * The pattern to copy for an interactive transaction: lock what you read, check, then write, taking
 * locks in one fixed order (the post first, then the authors by id, as deletePost does: post, then
 * author). Invariants: the post exists (404), the target is a different author (409) who exists (422).
 * A deadlock or serialization failure is retried (db/retry.ts), then answered 409 + Retry-After.
 */
export function movePost(prisma: Database, id: string, toAuthorId: string): Promise<Post> {
  return retryOnConflict(() =>
    prisma.$transaction(async (tx) => {
      // Locks the post's row (a write does) and reads its author under that lock: a concurrent
      // move or delete of it waits here, and then this one reads what that one committed.
      const { authorId: fromAuthorId } = await move.lock(tx, id);
      if (fromAuthorId === toAuthorId) {
        throw new ProblemError(409, "The post already belongs to this author.", {
          type: "urn:problem-type:no-op-move",
        });
      }
      const counters = [
        { authorId: fromAuthorId, by: -1 },
        { authorId: toAuthorId, by: 1 },
      ].sort((a, b) => (a.authorId < b.authorId ? -1 : 1));
      for (const { authorId, by } of counters) {
        // The source exists (the locked post points at it); only the target can be missing.
        const { count } = await move.count(tx, authorId, by);
        if (count === 0) {
          throw new ProblemError(422, "The target author does not exist.", {
            type: "urn:problem-type:reference-violation",
            errors: [{ in: "json", pointer: "/authorId", detail: "no such user" }],
          });
        }
      }
      return move.reassign(tx, id, toAuthorId);
    }),
  );
}

/** The move's queries: movePost runs them, and the warm-up plans them (movePostQueries). */
const move = {
  /** An update that changes nothing but updatedAt takes the row lock; a missing post is P2025 (404). */
  lock: (tx: Database, id: string) =>
    tx.post.update({ where: { id }, data: { updatedAt: new Date() }, select: { authorId: true } }),
  count: (tx: Database, authorId: string, by: number) =>
    tx.user.updateMany({ where: { id: authorId }, data: { postCount: { increment: by } } }),
  reassign: (tx: Database, id: string, authorId: string) => tx.post.update({ where: { id }, data: { authorId } }),
};

/** The move's queries with placeholder ids, planned at startup (src/db/warm-up.ts, src/app.ts). */
export const movePostQueries: StartupQueries = (tx) => {
  const [post, author] = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];
  return [() => move.lock(tx, post), () => move.count(tx, author, 1), () => move.reassign(tx, post, author)];
};
