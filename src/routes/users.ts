import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { validationHook } from "../errors/validation";
import { afterCursor, decodeCursor, NEWEST_FIRST, page } from "../lib/cursor";
import { containsText } from "../lib/text-search";
import { idempotent } from "../middleware/idempotency";
import { withPrisma } from "../middleware/prisma";
import { body, IdempotencyHeaderSchema, IdParamSchema, json, problems } from "../schemas/common";
import {
  CreateUserSchema,
  ListUsersQuerySchema,
  toUserDto,
  UpdateUserSchema,
  UserPageSchema,
  UserSchema,
} from "../schemas/users";

// Every query here is a single statement: withPrisma("statement"). Without Hyperdrive that is Neon
// over HTTP, one round trip per query and no WebSocket handshake (see the README's round-trip table).

const listUsers = createRoute({
  method: "get",
  path: "/",
  tags: ["users"],
  operationId: "listUsers",
  summary: "List users, newest first",
  description:
    "A page of users, newest first, filtered by role or by text in the email or name. Pass `nextCursor` back as `cursor` for the next page.",
  middleware: [withPrisma("statement")] as const,
  request: { query: ListUsersQuerySchema },
  responses: {
    200: { description: "A page of users", ...json(UserPageSchema) },
    400: problems[400],
    401: problems[401],
    503: problems[503],
  },
});

const getUser = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["users"],
  operationId: "getUser",
  summary: "Get a user",
  description: "One user by id; 404 when there is none.",
  middleware: [withPrisma("statement")] as const,
  request: { params: IdParamSchema },
  responses: {
    200: { description: "The user", ...json(UserSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
  },
});

const createUser = createRoute({
  method: "post",
  path: "/",
  tags: ["users"],
  operationId: "createUser",
  summary: "Create a user",
  description:
    "Creates a user. Emails are stored lowercased and are unique regardless of case (409). With an `Idempotency-Key`, a retry replays the first answer and writes nothing.",
  middleware: [idempotent()] as const,
  request: { headers: IdempotencyHeaderSchema, ...body(CreateUserSchema) },
  responses: {
    201: { description: "Created", ...json(UserSchema) },
    400: problems[400],
    401: problems[401],
    409: problems[409],
    413: problems[413],
    422: problems[422],
  },
});

const updateUser = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["users"],
  operationId: "updateUser",
  summary: "Update a user",
  description: "Changes the given fields of a user; 404 when there is none, 409 when the email is taken.",
  middleware: [withPrisma("statement")] as const,
  request: { params: IdParamSchema, ...body(UpdateUserSchema) },
  responses: {
    200: { description: "Updated", ...json(UserSchema) },
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
  },
});

const deleteUser = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["users"],
  operationId: "deleteUser",
  summary: "Delete a user and their posts",
  description: "Deletes the user and, with them, their posts; 404 when there is none.",
  middleware: [withPrisma("statement")] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404] },
});

export const users = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listUsers, async (c) => {
    const { limit, cursor, role, q } = c.req.valid("query");
    const rows = await c.var.prisma.user.findMany({
      where: {
        ...afterCursor(cursor ? decodeCursor(cursor) : undefined),
        ...(role ? { role } : {}),
        ...(q
          ? {
              AND: [
                {
                  OR: [{ email: containsText(q) }, { name: containsText(q) }],
                },
              ],
            }
          : {}),
      },
      orderBy: NEWEST_FIRST,
      take: limit + 1,
    });
    const { items, nextCursor } = page(rows, limit);
    return c.json({ items: items.map(toUserDto), nextCursor }, 200);
  })
  .openapi(getUser, async (c) => {
    const user = await c.var.prisma.user.findUniqueOrThrow({ where: { id: c.req.valid("param").id } });
    return c.json(toUserDto(user), 200);
  })
  .openapi(createUser, async (c) => {
    const user = await c.var.prisma.user.create({ data: c.req.valid("json") });
    return c.json(toUserDto(user), 201, { Location: `/users/${user.id}` });
  })
  .openapi(updateUser, async (c) => {
    const user = await c.var.prisma.user.update({ where: { id: c.req.valid("param").id }, data: c.req.valid("json") });
    return c.json(toUserDto(user), 200);
  })
  .openapi(deleteUser, async (c) => {
    await c.var.prisma.user.delete({ where: { id: c.req.valid("param").id } });
    return c.body(null, 204);
  });
