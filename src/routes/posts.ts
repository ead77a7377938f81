import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { referenceViolation } from "../errors/prisma";
import { validationHook } from "../errors/validation";
import { afterCursor, decodeCursor, NEWEST_FIRST, page } from "../lib/cursor";
import { containsText } from "../lib/text-search";
import { withCurrentUser } from "../middleware/current-user";
import { idempotent } from "../middleware/idempotency";
import { withPrisma } from "../middleware/prisma";
import { body, IdempotencyHeaderSchema, IdParamSchema, json, problems } from "../schemas/common";
import {
  CreatePostSchema,
  ListPostsQuerySchema,
  MovePostSchema,
  PostPageSchema,
  PostSchema,
  toPostDto,
  UpdatePostSchema,
} from "../schemas/posts";
import { changeableBy, createPost, deletePost, movePost, readableBy } from "../services/posts";

// Reads and single-statement writes need a statement (Neon: HTTP, one round trip per query). Create
// and delete are one statement each (a trigger keeps postCount in step: src/services/posts.ts), so
// they are statements too, unless keyed (the key is recorded in the write's transaction). Move reads,
// checks and writes: an interactive transaction (Neon: WebSocket). With Hyperdrive bound, all go over it.
// Who may do what (c.var.me): a user reads their own posts and everyone's published ones, and
// changes only their own (another's is a 404, as if absent); admins do everything.

const listPosts = createRoute({
  method: "get",
  path: "/",
  tags: ["posts"],
  operationId: "listPosts",
  summary: "List posts, newest first",
  description:
    "A page of the posts the caller may read (their own and everyone's published ones; all, for admins), newest first, filtered by author, status or text in the title. Pass `nextCursor` back as `cursor` for the next page.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { query: ListPostsQuerySchema },
  responses: {
    200: { description: "A page of posts", ...json(PostPageSchema) },
    400: problems[400],
    401: problems[401],
    503: problems[503],
  },
});

const getPost = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["posts"],
  operationId: "getPost",
  summary: "Get a post",
  description: "One post by id; 404 when there is none, or it is another user's draft.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The post", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
  },
});

const createPostRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["posts"],
  operationId: "createPost",
  summary: "Create a post (and bump the author's postCount, atomically)",
  description:
    "Creates a post by the caller (admins may name another author); the same statement adds one to its author's postCount. 422 when the author does not exist. With an `Idempotency-Key`, a retry replays the first answer and writes nothing.",
  middleware: [idempotent(), withCurrentUser] as const,
  request: { headers: IdempotencyHeaderSchema, ...body(CreatePostSchema) },
  responses: {
    201: { description: "Created", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    409: problems[409],
    413: problems[413],
    422: problems[422],
    429: problems[429],
  },
});

const updatePost = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["posts"],
  operationId: "updatePost",
  summary: "Update a post's title, content or status",
  description: "Changes the given fields of one of the caller's posts (any, for admins); 404 when there is none.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema, ...body(UpdatePostSchema) },
  responses: {
    200: { description: "Updated", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
    429: problems[429],
  },
});

const deletePostRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["posts"],
  operationId: "deletePost",
  summary: "Delete a post (and decrement the author's postCount, atomically)",
  description:
    "Deletes one of the caller's posts (any, for admins); the same statement takes one from its author's postCount. 404 when there is none.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404], 429: problems[429] },
});

const movePostRoute = createRoute({
  method: "post",
  path: "/{id}/move",
  tags: ["posts"],
  operationId: "movePost",
  summary: "Move a post to another author (both postCounts change atomically)",
  description:
    "Moves one of the caller's posts (any, for admins) to another author, adjusting both authors' postCounts in one transaction that locks the post, then the authors (in id order). 409 when it already belongs to that author, or (with Retry-After) when a concurrent request conflicted; 422 when the author does not exist.",
  middleware: [idempotent("transaction"), withCurrentUser] as const,
  request: { headers: IdempotencyHeaderSchema, params: IdParamSchema, ...body(MovePostSchema) },
  responses: {
    200: { description: "Moved", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
    422: problems[422],
    429: problems[429],
  },
});

export const posts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listPosts, async (c) => {
    const { limit, cursor, authorId, status, q } = c.req.valid("query");
    const rows = await c.var.prisma.post.findMany({
      where: {
        AND: [readableBy(c.var.me)],
        ...afterCursor(cursor ? decodeCursor(cursor) : undefined),
        ...(authorId ? { authorId } : {}),
        ...(status ? { status } : {}),
        ...(q ? { title: containsText(q) } : {}),
      },
      orderBy: NEWEST_FIRST,
      take: limit + 1,
    });
    const { items, nextCursor } = page(rows, limit);
    return c.json({ items: items.map(toPostDto), nextCursor }, 200);
  })
  .openapi(getPost, async (c) => {
    const post = await c.var.prisma.post.findUniqueOrThrow({
      where: { id: c.req.valid("param").id, ...readableBy(c.var.me) },
    });
    return c.json(toPostDto(post), 200);
  })
  .openapi(createPostRoute, async (c) => {
    const { authorId = c.var.me.userId, ...data } = c.req.valid("json");
    // Another user's id, to a non-admin, is answered as an unknown author: it tells nothing more.
    if (!authorId || (!c.var.me.admin && authorId !== c.var.me.userId)) throw referenceViolation("authorId");
    const post = await createPost(c.var.prisma, { ...data, authorId });
    return c.json(toPostDto(post), 201, { Location: `/posts/${post.id}` });
  })
  .openapi(updatePost, async (c) => {
    const post = await c.var.prisma.post.update({
      where: { id: c.req.valid("param").id, ...changeableBy(c.var.me) },
      data: c.req.valid("json"),
    });
    return c.json(toPostDto(post), 200);
  })
  .openapi(deletePostRoute, async (c) => {
    await deletePost(c.var.prisma, c.req.valid("param").id, c.var.me);
    return c.body(null, 204);
  })
  .openapi(movePostRoute, async (c) => {
    const post = await movePost(c.var.prisma, c.req.valid("param").id, c.req.valid("json").authorId, c.var.me);
    return c.json(toPostDto(post), 200);
  });
