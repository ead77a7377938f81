// GET /users/{id} is served as a single statement by the app (Neon over HTTP). This twin does the
// same Prisma query over the WebSocket transport, so the bench can report that endpoint on both.
import type { Hono } from "hono";
import { createPrismaClient } from "../../../src/db/prisma";
import type { AppEnv } from "../../../src/env";
import { toUserDto } from "../../../src/schemas/users";

export function mountPrismaWsTwins(app: Hono<AppEnv>): void {
  app.get("/__bench/prisma/ws/users/:id", async (c) => {
    const prisma = createPrismaClient(c.env, "ws");
    try {
      const user = await prisma.user.findUniqueOrThrow({ where: { id: c.req.param("id") } });
      return c.json(toUserDto(user), 200);
    } finally {
      c.executionCtx.waitUntil(prisma.$disconnect());
    }
  });
}
