import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationHook } from "../errors/validation";
import { afterCursor, decodeCursor, NEWEST_FIRST, page } from "../lib/cursor";
import { containsText } from "../lib/text-search";
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
import { createPost, deletePost, movePost } from "../services/posts";

// Reads and single-statement writes need a statement (Neon: HTTP, one round trip per query). Create
// and delete are one statement each (a trigger keeps postCount in step: src/services/posts.ts), so
// they are statements too, unless keyed (the key is recorded in the write's transaction). Move reads,
// checks and writes: an interactive transaction (Neon: WebSocket). With Hyperdrive bound, all go over it.

const listPosts = createRoute({
  method: "get",
  path: "/",
  tags: ["posts"],
  operationId: "listPosts",
  summary: "List posts, newest first",
  description:
    "A page of posts, newest first, filtered by author, status or text in the title. Pass `nextCursor` back as `cursor` for the next page.",
  middleware: [withPrisma("statement")] as const,
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
  description: "One post by id; 404 when there is none.",
  middleware: [withPrisma("statement")] as const,
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
    "Creates a post; the same statement adds one to its author's postCount. 422 when the author does not exist. With an `Idempotency-Key`, a retry replays the first answer and writes nothing.",
  middleware: [idempotent()] as const,
  request: { headers: IdempotencyHeaderSchema, ...body(CreatePostSchema) },
  responses: {
    201: { description: "Created", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    409: problems[409],
    413: problems[413],
    422: problems[422],
  },
});

const updatePost = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["posts"],
  operationId: "updatePost",
  summary: "Update a post's title, content or status",
  description: "Changes the given fields of a post; 404 when there is none.",
  middleware: [withPrisma("statement")] as const,
  request: { params: IdParamSchema, ...body(UpdatePostSchema) },
  responses: {
    200: { description: "Updated", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
  },
});

const deletePostRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["posts"],
  operationId: "deletePost",
  summary: "Delete a post (and decrement the author's postCount, atomically)",
  description: "Deletes the post; the same statement takes one from its author's postCount. 404 when there is none.",
  middleware: [withPrisma("statement")] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404] },
});

const movePostRoute = createRoute({
  method: "post",
  path: "/{id}/move",
  tags: ["posts"],
  operationId: "movePost",
  summary: "Move a post to another author (both postCounts change atomically)",
  description:
    "Moves the post and adjusts both authors' postCounts in one transaction that locks the post, then the authors (in id order). 409 when it already belongs to that author, or (with Retry-After) when a concurrent request conflicted; 422 when the author does not exist.",
  middleware: [idempotent("transaction")] as const,
  request: { headers: IdempotencyHeaderSchema, params: IdParamSchema, ...body(MovePostSchema) },
  responses: {
    200: { description: "Moved", ...json(PostSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
    422: problems[422],
  },
});

export const posts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listPosts, async (c) => {
    const { limit, cursor, authorId, status, q } = c.req.valid("query");
    const rows = await c.var.prisma.post.findMany({
      where: {
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
    const post = await c.var.prisma.post.findUniqueOrThrow({ where: { id: c.req.valid("param").id } });
    return c.json(toPostDto(post), 200);
  })
  .openapi(createPostRoute, async (c) => {
    const post = await createPost(c.var.prisma, c.req.valid("json"));
    return c.json(toPostDto(post), 201, { Location: `/posts/${post.id}` });
  })
  .openapi(updatePost, async (c) => {
    const post = await c.var.prisma.post.update({ where: { id: c.req.valid("param").id }, data: c.req.valid("json") });
    return c.json(toPostDto(post), 200);
  })
  .openapi(deletePostRoute, async (c) => {
    await deletePost(c.var.prisma, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(movePostRoute, async (c) => {
    const post = await movePost(c.var.prisma, c.req.valid("param").id, c.req.valid("json").authorId);
    return c.json(toPostDto(post), 200);
  });
