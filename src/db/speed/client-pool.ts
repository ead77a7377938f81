import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ClientLease } from "../prisma";

/**
 * PrismaClients reused across requests, one request at a time.
 *
 * Why: building a PrismaClient costs ~0.45 ms of CPU a request plus its garbage, and Prisma has no
 * hook to share what it rebuilds (docs/PERFORMANCE.md, "Design decisions").
 *
 * Why it is safe: Workers refuse I/O objects across requests, and a pooled client keeps none. It
 * connects through a HolderFactory, which calls the current holder's own adapter factory, so its
 * executor, adapter and sockets are made by the request that holds it; it goes back to the pool
 * only when its `$disconnect()` has resolved (the executor and its sockets are gone then), and a
 * lease is taken by exactly one request. What it keeps is pure computation: models, the
 * parameterization graph, the shared compiler (shared-compiler.ts).
 *
 * Guarded: the holder's queries run inside its lease (`run`), and every engine call checks that it
 * does. A client kept past its request (say, a query in waitUntil after the response) is refused
 * with LEASE_ENDED instead of running on another request's connection. test/worker/speed/client-pool.test.ts.
 * Leans on Prisma's `_engine` (pinned with 7.10); without it, every lease is a new client.
 */

/** Idle clients kept per key; a client released beyond that is left to the garbage collector. */
const MAX_IDLE = 64;

export const LEASE_ENDED =
  "This PrismaClient's request has ended: use c.var.prisma only inside the request (not in waitUntil after the response)";

/** The adapter factory a pooled client is built with: the holder's, whoever holds it now. */
class HolderFactory implements SqlDriverAdapterFactory {
  readonly provider = "postgres" as const;
  factory: SqlDriverAdapterFactory | undefined;
  get adapterName(): string {
    return this.factory?.adapterName ?? "@starter/client-pool";
  }
  connect(): Promise<SqlDriverAdapter> {
    if (!this.factory) return Promise.reject(new Error(LEASE_ENDED));
    return this.factory.connect();
  }
}

interface Pooled {
  prisma: PrismaClient;
  holder: HolderFactory;
  /** The lease that holds it; undefined while idle. */
  lease: object | undefined;
}

type EngineCall = (...args: unknown[]) => Promise<unknown>;
type Engine = Record<"start" | "stop" | "request" | "requestBatch" | "transaction", EngineCall>;
const GUARDED = ["start", "request", "requestBatch", "transaction"] as const;

const leases = new AsyncLocalStorage<object>();
const idle = new Map<string, Pooled[]>();
const counts = { built: 0, reused: 0 };
let warned = false;

/**
 * A client for one request: an idle one from `key`'s pool, or a new one from `build`. `key` names
 * what `build` sets at construction (clients under one key must be interchangeable).
 */
export function leaseClient(
  key: string,
  factory: SqlDriverAdapterFactory,
  build: (factory: SqlDriverAdapterFactory) => PrismaClient,
): ClientLease {
  let pooled = idle.get(key)?.pop();
  if (pooled) counts.reused++;
  else {
    const holder = new HolderFactory();
    pooled = { prisma: build(holder), holder, lease: undefined };
    if (!guard(pooled, key)) {
      // A client of this request's alone, as without the pool.
      holder.factory = factory;
      return { prisma: pooled.prisma, run: (work) => work() };
    }
    counts.built++;
  }
  const lease = {};
  pooled.lease = lease;
  pooled.holder.factory = factory;
  return { prisma: pooled.prisma, run: (work) => leases.run(lease, work) };
}

/** Wraps the client's engine: calls only from its lease; back to the pool once stopped. */
function guard(pooled: Pooled, key: string): boolean {
  const engine = (pooled.prisma as unknown as { _engine?: Partial<Engine> })._engine;
  if (!engine || ![...GUARDED, "stop"].every((m) => typeof engine[m as keyof Engine] === "function")) {
    if (!warned)
      console.warn(JSON.stringify({ level: "warn", msg: "Prisma's engine changed: PrismaClients are not pooled" }));
    warned = true;
    return false;
  }
  const own = engine as Engine;
  for (const method of GUARDED) {
    const call = own[method].bind(engine);
    own[method] = (...args) => (isHolder(pooled) ? call(...args) : Promise.reject(new Error(LEASE_ENDED)));
  }
  const stop = own.stop.bind(engine);
  own.stop = async () => {
    // Only the holder disconnects it; from anywhere else (its holder again, after the release)
    // there is nothing of the caller's left to close.
    if (!isHolder(pooled)) return;
    pooled.lease = undefined; // no more calls from the holder, and a second $disconnect pools nothing
    await stop(); // if it fails, the client is not reused
    // Disconnected: nothing of the holder's I/O is left in the client.
    pooled.holder.factory = undefined;
    const list = idle.get(key) ?? [];
    idle.set(key, list);
    if (list.length < MAX_IDLE) list.push(pooled);
  };
  return true;
}

/** Whether this runs inside the lease that holds the client (never true while it is idle). */
const isHolder = (pooled: Pooled) => pooled.lease !== undefined && leases.getStore() === pooled.lease;

/** Drops every idle client: the next leases build new ones (the shared compiler was turned off). */
export function forgetIdleClients(): void {
  idle.clear();
}

/** Clients built and reused, and idle now: for tests and the bench. */
export function clientPoolCounts(): { built: number; reused: number; idle: number } {
  return { ...counts, idle: [...idle.values()].reduce((n, list) => n + list.length, 0) };
}
