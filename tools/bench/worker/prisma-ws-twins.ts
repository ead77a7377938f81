// GET /users/{id} is served over HTTP by the app. This twin does the same Prisma query over the
// WebSocket transport, so the bench can report that endpoint on both transports.
import type { Hono } from "hono";
import type { AppEnv } from "../../../src/env";
import { withPrisma } from "../../../src/middleware/prisma";
import { toUserDto } from "../../../src/schemas/users";

export function mountPrismaWsTwins(app: Hono<AppEnv>): void {
  app.get("/__bench/prisma/ws/users/:id", withPrisma("ws"), async (c) => {
    const user = await c.var.prisma.user.findUniqueOrThrow({ where: { id: c.req.param("id") } });
    return c.json(toUserDto(user), 200);
  });
}
