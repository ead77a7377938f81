import { isTransientConflict } from "../errors/prisma";

/** Tries in all: a deadlock between two requests resolves on the first retry; three is ample. */
const ATTEMPTS = 3;

/**
 * Runs `transaction` again when Postgres aborted it for a deadlock or a serialization failure:
 * safe, because nothing of an aborted transaction was committed, and a retry sees the other
 * request's committed result. Pass the whole `$transaction` call (inside an idempotent write it is
 * a savepoint, rolled back as a unit). After the last try the error stands (a 409 + Retry-After).
 */
export async function retryOnConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransientConflict(error)) throw error;
      // A few ms, jittered, so the two sides of a deadlock do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
