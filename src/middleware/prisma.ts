import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Transport } from "../env";
import { createPrismaClient } from "../db/prisma";

type TransportChoice = Transport | ((c: Context<AppEnv>) => Transport);

/**
 * Gives the request its own PrismaClient as `c.var.prisma` and disposes of it after the response
 * (via waitUntil, so the response is not delayed). A route picks the Neon transport by passing
 * "ws" (default; interactive transactions) or "http" (one round trip per query), or a function
 * of the request.
 */
export const withPrisma = (transport: TransportChoice = "ws") =>
  createMiddleware<AppEnv>(async (c, next) => {
    const chosen = typeof transport === "function" ? transport(c) : transport;
    const prisma = createPrismaClient(c.env, chosen);
    c.set("prisma", prisma);
    c.set("transport", chosen);
    try {
      await next();
    } finally {
      c.executionCtx.waitUntil(prisma.$disconnect());
    }
  });
