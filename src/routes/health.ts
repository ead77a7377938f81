import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { misconfiguration } from "../errors/connection";
import { RETRY_AFTER_SECONDS } from "../errors/handler";
import { validationHook } from "../errors/validation";
import { log } from "../log/logger";
import { publicRoute } from "../middleware/auth";
import { withPrisma } from "../middleware/prisma";
import { json, problems } from "../schemas/common";
import { settingsOf } from "../settings";

const HealthQuerySchema = z.strictObject({
  need: z
    .enum(["transaction", "statement"])
    .optional()
    .openapi({
      description:
        "Which connection to check: the one interactive transactions use (default; Hyperdrive or " +
        "Neon's WebSocket) or the one single statements use (Hyperdrive or Neon's HTTP).",
    }),
});

const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.enum(["up", "down"]),
    transport: z.enum(["hyperdrive", "ws", "http"]),
  })
  .openapi("Health");

const getHealth = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  operationId: "getHealth",
  summary: "Whether the database answers, over the transport `need` maps to",
  description:
    "Public. Runs one query over the transport `need` picks (a statement: Neon's HTTP; a transaction: WebSocket; Hyperdrive when bound) and answers 503 with Retry-After when the database does not answer.",
  ...publicRoute,
  // Runs before the query is validated: anything but "statement" picks the default, then the
  // validator answers 400 for a value that is not a need.
  middleware: [withPrisma((c) => (c.req.query("need") === "statement" ? "statement" : "transaction"))] as const,
  request: { query: HealthQuerySchema },
  responses: {
    200: { description: "The database answered", ...json(HealthSchema) },
    400: problems[400],
    503: { description: "The database did not answer; retry after Retry-After seconds", ...json(HealthSchema) },
  },
});

/** GET /health: public, and says nothing but up or down and the transport's name. */
export const health = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(getHealth, async (c) => {
  const transport = c.var.transport;
  // A WebSocket query outside a transaction is not bounded by the driver when Neon never
  // answers (workerd's close needs the other side), so the check bounds itself.
  const timeoutMs = settingsOf(c.env).dbConnectTimeoutMs;
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs));
  const answered = c.var.prisma.$queryRaw`SELECT 1`.then(
    () => "up" as const,
    (error: unknown) => error,
  );
  const outcome = await Promise.race([answered, timeout]);
  if (outcome === "up") return c.json({ status: "ok" as const, database: "up" as const, transport }, 200);
  // A binding that can never work is not an outage: the error handler makes it a 500 that says so.
  if (misconfiguration(outcome)) throw outcome;
  log(c, "warn", "database unavailable", { transport, error: outcome });
  // The cause may name the host; it stays out of the response. The status says enough.
  return c.json({ status: "unavailable" as const, database: "down" as const, transport }, 503, {
    "Retry-After": RETRY_AFTER_SECONDS,
  });
});
