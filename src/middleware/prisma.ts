import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type Database, leasePrismaClient, transportFor } from "../db/prisma";
import type { Bindings, DatabaseNeed, Transport } from "../env";

/** What withPrisma adds to a route's context; handlers behind it (and later middleware) see it. */
export type PrismaEnv = {
  Bindings: Bindings;
  Variables: { prisma: Database; transport: Transport };
};

type NeedChoice = DatabaseNeed | ((c: Context) => DatabaseNeed);

/**
 * Gives the request its own PrismaClient as `c.var.prisma` and disposes of it after the response
 * (via waitUntil, so the response is not delayed). Use it only inside the request: with the speed
 * layer the client is reused by a later request once disconnected. A route says what it needs:
 * "transaction" (default; interactive transactions) or "statement" (single statements), or a
 * function of the request. src/db/prisma.ts picks the transport: Hyperdrive when bound, else
 * Neon's WebSocket for transactions and HTTP for statements.
 */
export const withPrisma = (need: NeedChoice = "transaction") =>
  createMiddleware<PrismaEnv>(async (c, next) => {
    const transport = transportFor(c.env, typeof need === "function" ? need(c) : need);
    c.set("transport", transport);
    const { prisma, run } = leasePrismaClient(c.env, transport);
    c.set("prisma", prisma);
    // Leased to this request until its $disconnect: the client refuses calls from outside `run`.
    await run(async () => {
      try {
        await next();
      } finally {
        c.executionCtx.waitUntil(prisma.$disconnect());
      }
    });
  });
