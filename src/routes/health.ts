import { Hono } from "hono";
import type { AppEnv } from "../env";
import { withPrisma } from "../middleware/prisma";

/** GET /health[?transport=ws|http]: 200 when the database answers a query, 503 when it does not. */
export const health = new Hono<AppEnv>().get(
  "/",
  withPrisma((c) => (c.req.query("transport") === "http" ? "http" : "ws")),
  async (c) => {
    const transport = c.var.transport;
    try {
      await c.var.prisma.$queryRaw`SELECT 1`;
      return c.json({ status: "ok" as const, database: "up" as const, transport }, 200);
    } catch {
      // The cause may name the host; it stays out of the response. The status says enough.
      return c.json({ status: "unavailable" as const, database: "down" as const, transport }, 503);
    }
  },
);
