import { Hono } from "hono";
import { connectTimeoutMs } from "../db/prisma";
import type { AppEnv } from "../env";
import { RETRY_AFTER_SECONDS } from "../errors/handler";
import { withPrisma } from "../middleware/prisma";

/**
 * GET /health[?need=transaction|statement]: 200 when the database answers a query over the
 * transport that need maps to (Hyperdrive when bound; else WebSocket, or HTTP for statements),
 * 503 when it does not. The body names the transport.
 */
export const health = new Hono<AppEnv>().get(
  "/",
  withPrisma((c) => (c.req.query("need") === "statement" ? "statement" : "transaction")),
  async (c) => {
    const transport = c.var.transport;
    // A WebSocket query outside a transaction is not bounded by the driver when Neon never
    // answers (workerd's close needs the other side), so the check bounds itself.
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), connectTimeoutMs(c.env)));
    const answered = c.var.prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    );
    if (await Promise.race([answered, timeout])) {
      return c.json({ status: "ok" as const, database: "up" as const, transport }, 200);
    }
    // The cause may name the host; it stays out of the response. The status says enough.
    c.header("Retry-After", RETRY_AFTER_SECONDS);
    return c.json({ status: "unavailable" as const, database: "down" as const, transport }, 503);
  },
);
