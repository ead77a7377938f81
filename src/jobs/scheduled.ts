import { createPrismaClient, transportFor } from "../db/prisma";
import type { Bindings } from "../env";
import { logLine } from "../log/logger";
import { sweepIdempotencyKeys } from "./sweep-idempotency-keys";

/**
 * The Worker's Cron Triggers (wrangler.toml [triggers] crons). Like a request, each invocation
 * gets its own PrismaClient and disposes of it with waitUntil: nothing with I/O outlives it.
 */
export const scheduled: ExportedHandlerScheduledHandler<Bindings> = async (controller, env, ctx) => {
  const prisma = createPrismaClient(env, transportFor(env, "statement"));
  try {
    const deleted = await sweepIdempotencyKeys(prisma, new Date(controller.scheduledTime));
    logLine(env, "info", "swept expired idempotency keys", { cron: controller.cron, deleted });
  } catch (error) {
    // Rethrown so the invocation shows as failed in Cron Events; the next one retries.
    logLine(env, "error", "sweeping idempotency keys failed", { cron: controller.cron, error });
    throw error;
  } finally {
    ctx.waitUntil(prisma.$disconnect());
  }
};
