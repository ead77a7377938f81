import { createMiddleware } from "hono/factory";
import { isUniqueViolation } from "../errors/prisma";
import { ProblemError } from "../errors/problem";
import type { PrismaClient } from "../generated/prisma/client";
import type { PrismaEnv } from "./prisma";

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotent POSTs. With an `Idempotency-Key` header the first request claims the key (INSERT;
 * the primary key makes concurrent claims race safely), runs, and stores its 2xx response; a
 * retry with the same key and body gets that response back and writes nothing. A retry while
 * the first is still running gets 409; the same key with another body gets 422. Non-2xx results
 * release the key (they wrote nothing), so the client can fix the request and retry with it.
 * Mount after withPrisma: it uses the request's client.
 */
export const idempotent = () =>
  createMiddleware<PrismaEnv>(async (c, next) => {
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new ProblemError(400, "Idempotency-Key must be 1–255 visible ASCII characters.", {
        errors: [{ in: "header", pointer: "/idempotency-key", detail: "1–255 visible ASCII characters" }],
      });
    }
    const prisma = c.var.prisma;
    const fingerprint = await sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);

    if (!(await claim(c.var.prisma, key, fingerprint))) {
      const stored = await prisma.idempotencyKey.findUnique({ where: { key } });
      if (stored && stored.fingerprint !== fingerprint) {
        throw new ProblemError(422, "This Idempotency-Key was already used with a different request.", {
          type: "urn:problem-type:idempotency-key-reused",
        });
      }
      if (!stored || stored.responseStatus === null || stored.responseBody === null) {
        throw new ProblemError(409, "A request with this Idempotency-Key is still in progress.", {
          type: "urn:problem-type:idempotency-key-in-progress",
          headers: { "Retry-After": "1" },
        });
      }
      return c.body(stored.responseBody, stored.responseStatus as 200, {
        "Content-Type": "application/json",
        "Idempotency-Replayed": "true",
      });
    }

    await next();
    if (c.res.status >= 200 && c.res.status < 300) {
      await prisma.idempotencyKey.updateMany({
        where: { key },
        data: { responseStatus: c.res.status, responseBody: await c.res.clone().text(), completedAt: new Date() },
      });
    } else {
      await prisma.idempotencyKey.deleteMany({ where: { key, responseStatus: null } });
    }
  });

/** True when this request inserted the key; false when another request holds it. */
async function claim(prisma: PrismaClient, key: string, fingerprint: string): Promise<boolean> {
  try {
    await prisma.idempotencyKey.create({ data: { key, fingerprint }, select: { key: true } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
