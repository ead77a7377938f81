import { createPrismaClient, transportFor } from "../db/prisma";
import type { Bindings } from "../env";
import { logLine } from "../log/logger";
import { sweepIdempotencyKeys } from "./sweep-idempotency-keys";

/**
 * The Worker's Cron Triggers (wrangler.toml [triggers] crons). Like a request, each invocation
 * gets its own PrismaClient and disposes of it with waitUntil: nothing with I/O outlives it.
 */
export const scheduled: ExportedHandlerScheduledHandler<Bindings> = async (controller, env, ctx) => {
  // One connection for the run's many statements: over Neon's HTTP each would be a subrequest.
  const prisma = createPrismaClient(env, transportFor(env, "transaction"));
  try {
    const { deleted, done } = await sweepIdempotencyKeys(prisma, new Date(controller.scheduledTime));
    // Not done: keys expire faster than the sweep's budget clears them (SWEEP_BUDGET_MS).
    logLine(env, done ? "info" : "warn", "swept expired idempotency keys", { cron: controller.cron, deleted, done });
  } catch (error) {
    // Rethrown so the invocation shows as failed in Cron Events; the next one retries.
    logLine(env, "error", "sweeping idempotency keys failed", { cron: controller.cron, error });
    throw error;
  } finally {
    ctx.waitUntil(prisma.$disconnect());
  }
};
