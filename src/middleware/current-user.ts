import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { currentUser, type Me } from "../services/users";
import type { PrismaEnv } from "./prisma";

/** What withCurrentUser adds to a route's context. */
export type MeEnv = { Variables: { me: Me } };

/**
 * The demo's caller as a user, `c.var.me`: after withPrisma or idempotent() in a route's
 * middleware, since it may look the user up (src/services/users.ts). Routes check ownership with it.
 */
export const withCurrentUser = createMiddleware<PrismaEnv & AppEnv & MeEnv>(async (c, next) => {
  c.set("me", await currentUser(c.var.prisma, c.var.principal));
  await next();
});
