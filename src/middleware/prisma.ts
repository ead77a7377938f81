import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { createPrismaClient } from "../db/prisma";
import type { Bindings, Transport } from "../env";
import type { PrismaClient } from "../generated/prisma/client";

/** What withPrisma adds to a route's context; handlers behind it (and later middleware) see it. */
export type PrismaEnv = {
  Bindings: Bindings;
  Variables: { prisma: PrismaClient; transport: Transport };
};

type TransportChoice = Transport | ((c: Context) => Transport);

/**
 * Gives the request its own PrismaClient as `c.var.prisma` and disposes of it after the response
 * (via waitUntil, so the response is not delayed). A route picks the Neon transport by passing
 * "ws" (default; interactive transactions) or "http" (one round trip per query), or a function
 * of the request.
 */
export const withPrisma = (transport: TransportChoice = "ws") =>
  createMiddleware<PrismaEnv>(async (c, next) => {
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
