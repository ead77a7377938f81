import type { Context, MiddlewareHandler, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { Database } from "../db/prisma";
import type { AppEnv, DatabaseNeed } from "../env";
import { isConnectionError } from "../errors/connection";
import { ProblemError } from "../errors/problem";
import type { IdempotencyKey, Prisma } from "../generated/prisma/client";
import { IDEMPOTENCY_KEY_TTL_MS } from "../jobs/sweep-idempotency-keys";
import { hex, sha256 } from "../lib/hash";
import { IDEMPOTENCY_KEY_FORMAT as KEY_FORMAT } from "../schemas/common";
import { type Settings, settingsOf } from "../settings";
import { type PrismaEnv, withPrisma } from "./prisma";

/** Postgres ends a transaction left idle this long: what bounds a request that hung mid-write. */
const IDLE_TRANSACTION_TIMEOUT = "10s";
/**
 * How long a write waits for rows another transaction holds (such a hung request's) before it
 * answers 409 + Retry-After: 60% of the transaction timeout (DB_TRANSACTION_TIMEOUT_MS; 3 s of the
 * default 5 s), so that the wait ends before Prisma rolls the whole transaction back with a 503.
 */
const lockTimeoutMs = (settings: Settings) => Math.floor(settings.dbTransactionTimeoutMs * 0.6);

/** Per-request headers that a replay gets anew rather than from the first response. */
const NOT_REPLAYED = new Set(["x-request-id", "date"]);

/**
 * Exactly-once POSTs. With an `Idempotency-Key` header, the route's writes and the record of its
 * response are one database transaction, so they commit or vanish together:
 * - a key already recorded replays the first response (status, headers, body) and writes nothing;
 * - otherwise the route runs inside the transaction (`c.var.prisma` is the transaction; a
 *   service's own `$transaction` becomes a savepoint in it). A 2xx is recorded and committed;
 *   anything else rolls back, so the client can fix the request and retry with the same key;
 * - a concurrent retry waits on the key's primary key, then replays the winner's response
 *   (after lockTimeoutMs of waiting: 409 + Retry-After);
 * - a request that dies mid-write leaves nothing: Postgres rolls its transaction back when the
 *   connection closes, or after IDLE_TRANSACTION_TIMEOUT when the connection hangs.
 * Keys are scoped by caller (c.var.caller, set by closedByDefault) and route; the same key with
 * another body is a 422. Keys expire: src/jobs/sweep-idempotency-keys.ts.
 * It leases the request's database itself (withPrisma), so it cannot be mounted wrong: `need` is
 * what the route needs without a key ("statement", or "transaction" for a route that runs one);
 * with a key it is always a transaction (WebSocket or Hyperdrive), which the key's record shares.
 */
export const idempotent = (need: DatabaseNeed = "statement") => {
  // Typed for any context: this middleware's own (PrismaEnv & AppEnv) is withPrisma's and more.
  const lease: MiddlewareHandler = withPrisma((c) =>
    c.req.header("Idempotency-Key") === undefined ? need : "transaction",
  );
  return createMiddleware<PrismaEnv & AppEnv>((c, next) => lease(c, () => keyedWrite(c, next)));
};

async function keyedWrite(c: Context<PrismaEnv & AppEnv>, next: Next): Promise<void> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return next();
  if (!KEY_FORMAT.test(key)) {
    throw new ProblemError(400, "Idempotency-Key must be 1–255 visible ASCII characters.", {
      errors: [{ in: "header", pointer: "/idempotency-key", detail: "1–255 visible ASCII characters" }],
    });
  }
  const db = c.var.prisma;
  // What the middleware before this one set (X-Request-Id): a replay keeps these and nothing
  // else of this attempt's own response.
  const before = new Headers(c.res.headers);
  const id = { caller: c.var.caller ?? "anonymous", route: `${c.req.method} ${routePath(c)}`, key };
  const fingerprint = hex(await sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`));
  const find = async () => unexpired(await keys.find(db, id));

  // The lookup runs inside the transaction, not before it: $transaction's maxWait
  // (DB_CONNECT_TIMEOUT_MS) bounds getting a connection, and a plain query before it would wait
  // for a compute that never wakes (over WebSocket in workerd nothing else bounds it). Same flights.
  let stored: Awaited<ReturnType<typeof find>> = null;
  try {
    await db.$transaction(async (tx) => {
      await keys.boundWaits(tx, `${lockTimeoutMs(settingsOf(c.env))}ms`);
      stored = await keys.find(tx, id);
      // An expired key (older than the TTL, not swept yet) is not replayed: this request is new.
      if (stored && !unexpired(stored)) {
        await keys.expire(tx, id);
        stored = null;
      }
      if (stored) return;
      c.set("prisma", tx);
      await next();
      if (c.error || c.res.status < 200 || c.res.status > 299) throw ROLL_BACK;
      const { status, headers } = c.res;
      const body = await c.res.clone().text();
      await keys.record(tx, { ...id, fingerprint, status, headers: replayable(headers), body });
    });
  } catch (error) {
    // The database is unreachable: no concurrent request can have committed through it either,
    // and looking would wait out another connect timeout. Answer as an unkeyed write would (503).
    if (isConnectionError(error)) throw error;
    // A concurrent request with this key may have committed first (our INSERT of the key then
    // failed, or the write itself conflicted with its write): its response is the answer.
    const winner = await find().catch(() => null);
    if (winner) return replay(c, winner, fingerprint, before);
    // Waited lockTimeoutMs for rows another transaction holds. Thrown here, it was the key's
    // INSERT: an earlier request with this key. Answered by the route, it was a row the route
    // writes, which that earlier request may hold, or any other transaction.
    if (error !== ROLL_BACK && isLockTimeout(error)) throw lockWait(KEY_IN_PROGRESS);
    if (error === ROLL_BACK && isLockTimeout(c.error)) throw lockWait(ROWS_LOCKED);
    if (error !== ROLL_BACK) throw error;
    // Rolled back: c.res is the route's own (non-2xx) response.
  } finally {
    c.set("prisma", db);
  }
  if (stored) return replay(c, stored, fingerprint, before);
}

type KeyId = Pick<IdempotencyKey, "caller" | "route" | "key">;

/** The middleware's queries: idempotent() runs them, and the warm-up plans them (idempotencyQueries). */
const keys = {
  boundWaits: (tx: Database, lockTimeout: string) =>
    tx.$executeRaw`SELECT set_config('idle_in_transaction_session_timeout', ${IDLE_TRANSACTION_TIMEOUT}, true), set_config('lock_timeout', ${lockTimeout}, true)`,
  find: (tx: Database, id: KeyId) => tx.idempotencyKey.findUnique({ where: { caller_route_key: id } }),
  record: (tx: Database, data: Prisma.IdempotencyKeyCreateInput) => tx.idempotencyKey.create({ data }),
  expire: (tx: Database, id: KeyId) => tx.idempotencyKey.delete({ where: { caller_route_key: id } }),
};

/** The key, unless it is older than IDEMPOTENCY_KEY_TTL_MS (then it no longer replays). */
const unexpired = (key: IdempotencyKey | null) =>
  key && Date.now() - key.createdAt.getTime() < IDEMPOTENCY_KEY_TTL_MS ? key : null;

/** The middleware's queries with placeholder values, planned at startup (listed in src/app.ts). */
export const idempotencyQueries = (tx: Database) => {
  const id = { caller: "caller", route: "route", key: "key" };
  return [
    () => keys.boundWaits(tx, "3000ms"), // a parameter: any value plans the same
    () => keys.find(tx, id),
    () => keys.record(tx, { ...id, fingerprint: "fingerprint", status: 201, headers: {}, body: "body" }),
    () => keys.expire(tx, id),
  ];
};

const ROLL_BACK = Symbol("roll back");

const KEY_IN_PROGRESS = {
  title: "An earlier request with this Idempotency-Key has not finished. Retry shortly.",
  type: "urn:problem-type:idempotency-key-in-progress",
};
const ROWS_LOCKED = {
  title:
    "Rows this request writes are held by another transaction that has not finished. Nothing was written; retry shortly.",
  type: "urn:problem-type:rows-locked",
};

/** A write that waited lockTimeoutMs, rolled back: 409, to be retried (with the same key). */
const lockWait = ({ title, type }: { title: string; type: string }) =>
  new ProblemError(409, title, { type, headers: { "Retry-After": "1" } });

/**
 * Answers with the stored response: its status, body and exactly its headers, on top of what the
 * middleware before this one set (`before`). Not merged into c.res: Hono's c.res setter would keep
 * the headers of a failed attempt at this request (its Location, its Retry-After).
 */
function replay(c: Context, stored: IdempotencyKey, fingerprint: string, before: Headers): void {
  if (stored.fingerprint !== fingerprint) {
    throw new ProblemError(422, "This Idempotency-Key was already used with a different request.", {
      type: "urn:problem-type:idempotency-key-reused",
    });
  }
  const headers = new Headers(before);
  for (const [name, value] of Object.entries(stored.headers as Record<string, string>)) headers.set(name, value);
  headers.set("idempotency-replayed", "true");
  c.res = undefined;
  c.res = new Response(stored.body === "" ? null : stored.body, { status: stored.status, headers });
}

function replayable(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !NOT_REPLAYED.has(name)));
}

/** Postgres' lock_not_available (55P03): lockTimeoutMs passed waiting for another transaction's rows. */
function isLockTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } }).meta
    ?.driverAdapterError?.cause;
  return (
    (error as { code?: unknown }).code === "55P03" ||
    cause?.originalCode === "55P03" ||
    /lock timeout/i.test(error.message)
  );
}
