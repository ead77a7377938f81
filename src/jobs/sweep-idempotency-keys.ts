import type { Database } from "../db/prisma";

/** How long an Idempotency-Key replays its response (what the OpenAPI document promises). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** Each DELETE removes about this many keys, so no statement holds locks or runs long. */
export const SWEEP_BATCH = 500;
/** Per invocation; whatever is left waits for the next one (hourly, wrangler.toml [triggers]). */
export const SWEEP_MAX_BATCHES = 20;

/** Deletes keys older than the TTL, oldest first, in bounded batches. Returns how many. */
export async function sweepIdempotencyKeys(db: Database, now = new Date()): Promise<number> {
  const expired = { lt: new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS) };
  let deleted = 0;
  for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
    // The SWEEP_BATCH-th oldest expired key bounds this batch (keys created in the same
    // millisecond as it go too). None: fewer are left, and this batch is the last.
    const edge = await db.idempotencyKey.findFirst({
      where: { createdAt: expired },
      orderBy: { createdAt: "asc" },
      skip: SWEEP_BATCH - 1,
      select: { createdAt: true },
    });
    const { count } = await db.idempotencyKey.deleteMany({
      where: { createdAt: { ...expired, ...(edge ? { lte: edge.createdAt } : {}) } },
    });
    deleted += count;
    if (!edge) break;
  }
  return deleted;
}
