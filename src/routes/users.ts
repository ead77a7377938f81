import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { recordNotFound } from "../errors/prisma";
import { ProblemError } from "../errors/problem";
import { validationHook } from "../errors/validation";
import { afterCursor, decodeCursor, NEWEST_FIRST, page } from "../lib/cursor";
import { containsText } from "../lib/text-search";
import { withCurrentUser } from "../middleware/current-user";
import { idempotent } from "../middleware/idempotency";
import { withPrisma } from "../middleware/prisma";
import { body, IdempotencyHeaderSchema, IdParamSchema, json, problems } from "../schemas/common";
import {
  CreateUserSchema,
  LinkIdentitySchema,
  ListUsersQuerySchema,
  toUserDto,
  UpdateUserSchema,
  UserPageSchema,
  UserSchema,
} from "../schemas/users";
import { forgetUser, type Me } from "../services/users";
import { settingsOf } from "../settings";

// Every query here is a single statement: withPrisma("statement"). Without Hyperdrive that is Neon
// over HTTP, one round trip per query and no WebSocket handshake (see the README's round-trip table).
// Who may do what (c.var.me, src/services/users.ts): anyone signed in reads profiles, emails only
// their own; a user changes and deletes only themselves (anyone else is a 404, as if absent);
// admins (and the service credential) do everything.

/** A user changes only themselves; for anyone else's id the answer is the same 404 as for no user. */
const ownOrAdmin = (me: Me, id: string) => {
  if (!me.admin && me.userId !== id) throw recordNotFound();
};

/** What a change to one user can answer besides its 200. */
const changeProblems = {
  400: problems[400],
  401: problems[401],
  403: problems[403],
  404: problems[404],
  409: problems[409],
  429: problems[429],
};

const adminOnly = (me: Me) => {
  if (!me.admin) throw new ProblemError(403, "Only an admin may do this.", { type: "urn:problem-type:forbidden" });
};

const getMe = createRoute({
  method: "get",
  path: "/me",
  tags: ["users"],
  operationId: "getMe",
  summary: "The caller's own user",
  description:
    "The user the bearer token names, created on the token's first use. 404 for the service credential, which is no user.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  responses: {
    200: { description: "The caller's user", ...json(UserSchema) },
    401: problems[401],
    404: problems[404],
  },
});

const listUsers = createRoute({
  method: "get",
  path: "/",
  tags: ["users"],
  operationId: "listUsers",
  summary: "List users, newest first",
  description:
    "A page of users, newest first, filtered by role or by text in the email or name. Pass `nextCursor` back as `cursor` for the next page.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
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
  middleware: [withPrisma("statement"), withCurrentUser] as const,
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
    "Creates a user (admins only: a token's user is created on its first use). Emails are stored lowercased and are unique regardless of case (409). With an `Idempotency-Key`, a retry replays the first answer and writes nothing.",
  middleware: [idempotent(), withCurrentUser] as const,
  request: { headers: IdempotencyHeaderSchema, ...body(CreateUserSchema) },
  responses: {
    201: { description: "Created", ...json(UserSchema) },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
    413: problems[413],
    422: problems[422],
    429: problems[429],
  },
});

const updateUser = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["users"],
  operationId: "updateUser",
  summary: "Update a user",
  description:
    "Changes the given fields of the caller's own user (any user, for admins; only admins change a role); 404 when there is none, 409 when the email is taken.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema, ...body(UpdateUserSchema) },
  responses: {
    200: { description: "Updated", ...json(UserSchema) },
    ...changeProblems,
  },
});

const deleteUser = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["users"],
  operationId: "deleteUser",
  summary: "Delete a user and their posts",
  description: "Deletes the caller's own user (any user, for admins) and their posts; 404 when there is none.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: "Deleted" }, 401: problems[401], 404: problems[404], 429: problems[429] },
});

const linkIdentity = createRoute({
  method: "put",
  path: "/{id}/identity",
  tags: ["users"],
  operationId: "linkUserIdentity",
  summary: "Link a user to a token's identity",
  description:
    "Admins only: the user becomes who tokens with this subject (at JWT_ISSUER, unless given) name, instead of a new user on first use. 409 when another user has it.",
  middleware: [withPrisma("statement"), withCurrentUser] as const,
  request: { params: IdParamSchema, ...body(LinkIdentitySchema) },
  responses: {
    200: { description: "Linked", ...json(UserSchema) },
    ...changeProblems,
  },
});

export const users = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listUsers, async (c) => {
    const { limit, cursor, role, q } = c.req.valid("query");
    // Only admins search emails: a match would tell anyone else whose they are.
    const searchIn = (text: string) =>
      c.var.me.admin ? [{ email: containsText(text) }, { name: containsText(text) }] : [{ name: containsText(text) }];
    const rows = await c.var.prisma.user.findMany({
      where: {
        ...afterCursor(cursor ? decodeCursor(cursor) : undefined),
        ...(role ? { role } : {}),
        ...(q
          ? {
              AND: [
                {
                  OR: searchIn(q),
                },
              ],
            }
          : {}),
      },
      orderBy: NEWEST_FIRST,
      take: limit + 1,
    });
    const { items, nextCursor } = page(rows, limit);
    return c.json({ items: items.map((user) => toUserDto(user, c.var.me)), nextCursor }, 200);
  })
  .openapi(getMe, async (c) => {
    const { userId } = c.var.me;
    if (!userId) throw recordNotFound();
    const user = await c.var.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    return c.json(toUserDto(user, c.var.me), 200);
  })
  .openapi(getUser, async (c) => {
    const user = await c.var.prisma.user.findUniqueOrThrow({ where: { id: c.req.valid("param").id } });
    return c.json(toUserDto(user, c.var.me), 200);
  })
  .openapi(createUser, async (c) => {
    adminOnly(c.var.me);
    const user = await c.var.prisma.user.create({ data: c.req.valid("json") });
    return c.json(toUserDto(user, c.var.me), 201, { Location: `/users/${user.id}` });
  })
  .openapi(updateUser, async (c) => {
    const { id } = c.req.valid("param");
    const data = c.req.valid("json");
    ownOrAdmin(c.var.me, id);
    if (data.role !== undefined) adminOnly(c.var.me);
    const user = await c.var.prisma.user.update({ where: { id }, data });
    if (data.role !== undefined) forgetUser(id);
    return c.json(toUserDto(user, c.var.me), 200);
  })
  .openapi(deleteUser, async (c) => {
    const { id } = c.req.valid("param");
    ownOrAdmin(c.var.me, id);
    await c.var.prisma.user.delete({ where: { id } });
    forgetUser(id);
    return c.body(null, 204);
  })
  .openapi(linkIdentity, async (c) => {
    adminOnly(c.var.me);
    const { id } = c.req.valid("param");
    const { subject, issuer } = c.req.valid("json");
    const authIssuer = issuer ?? settingsOf(c.env).jwt?.issuer;
    if (!authIssuer) {
      throw new ProblemError(422, "No issuer: give one, or set JWT_ISSUER.", {
        type: "urn:problem-type:validation-error",
        errors: [{ in: "json", pointer: "/issuer", detail: "required without JWT_ISSUER" }],
      });
    }
    const user = await c.var.prisma.user.update({ where: { id }, data: { authIssuer, authSubject: subject } });
    forgetUser(id);
    return c.json(toUserDto(user, c.var.me), 200);
  });
