import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { app } from "../../src/app";
import { createPrismaClient, type Database, transportFor } from "../../src/db/prisma";
import type { Bindings } from "../../src/env";

export const TOKEN = (env as Bindings).API_TOKEN!;
export const auth = { Authorization: `Bearer ${TOKEN}` };

export type TestRequestInit = RequestInit & { json?: unknown; anonymous?: boolean };

/**
 * The request a test sends. It carries the bearer token (every route but the public ones needs
 * it) unless `anonymous` is set or the request names its own Authorization; `json` is the body.
 */
function testRequest(path: string, init: TestRequestInit): Request {
  const { anonymous, json, ...requestInit } = init;
  const headers = new Headers(init.headers);
  if (!anonymous && !headers.has("Authorization")) headers.set("Authorization", auth.Authorization);
  let body = init.body;
  if (json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(json);
  }
  return new Request(`http://worker${path}`, { ...requestInit, headers, body });
}

/** A request to the deployed-shape Worker (its default export), with the test bindings. */
export function call(path: string, init: TestRequestInit = {}): Promise<Response> {
  return exports.default.fetch(testRequest(path, init));
}

/** The same app with some bindings changed (PUBLIC_DOCS, MAX_BODY_BYTES, …). */
export function callWith(overrides: Partial<Bindings>, path: string, init: TestRequestInit = {}): Promise<Response> {
  return callApp(app, overrides, path, init);
}

/** A request to any app built on src/api.ts (the Worker's, or test/worker/fixture's), with the test bindings. */
export async function callApp(
  target: { fetch: (request: Request, env: Bindings, ctx: ExecutionContext) => Response | Promise<Response> },
  overrides: Partial<Bindings>,
  path: string,
  init: TestRequestInit = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await target.fetch(testRequest(path, init), { ...(env as Bindings), ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface NeonStats {
  roundTrips: number;
  wsRoundTrips: number;
  httpRoundTrips: number;
  tcpRoundTrips: number;
  wsOpened: number;
  tcpOpened: number;
  httpRequests: number;
}

// The local Neon serves its control endpoints on the same origin as /sql and the WebSocket.
const admin = () => `http://${(env as Bindings).NEON_LOCAL_PROXY}`;
export async function neonStats(): Promise<NeonStats> {
  return (await (await fetch(`${admin()}/_local-neon/stats`)).json()) as NeonStats;
}
export async function resetNeonStats(): Promise<void> {
  const reset = await fetch(`${admin()}/_local-neon/stats/reset`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
  });
  if (!reset.ok) throw new Error(`resetting the local Neon's counters: HTTP ${reset.status}`);
  await reset.body?.cancel();
}

/** Asserts an RFC 9457 body and returns it. */
export async function problemOf(res: Response) {
  if (!res.headers.get("Content-Type")?.startsWith("application/problem+json")) {
    throw new Error(`expected problem+json, got ${res.status} ${res.headers.get("Content-Type")}: ${await res.text()}`);
  }
  const body = (await res.json()) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance?: string;
    errors?: { in: string; pointer: string; detail: string }[];
  };
  if (body.status !== res.status || !body.type || !body.title || typeof body.detail !== "string") {
    throw new Error(`not a problem document: ${JSON.stringify(body)}`);
  }
  return body;
}

/** Straight to the database through the Worker's own Prisma (real client, real driver). */
export async function withDb<T>(run: (db: ReturnType<typeof createPrismaClient>) => Promise<T>): Promise<T> {
  const db = createPrismaClient(env as Bindings, transportFor(env as Bindings, "transaction"));
  try {
    return await run(db);
  } finally {
    await db.$disconnect();
  }
}

/**
 * Runs `hold` in a transaction of its own and keeps that transaction open; resolves once `hold`
 * has run. `release()` ends it (rolled back). What the 503 and 409 tests for lock waits block on.
 */
export async function holdInTransaction(
  hold: (tx: Database) => Promise<unknown>,
): Promise<{ release: () => Promise<void> }> {
  let held!: () => void;
  let release!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const holder = withDb((db) =>
    db
      .$transaction(
        async (tx) => {
          await hold(tx);
          held();
          await released;
          throw RELEASED;
        },
        { timeout: 10_000 },
      )
      .catch((error) => {
        if (error !== RELEASED) throw error;
      }),
  );
  await Promise.race([isHeld, holder]);
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}
const RELEASED = Symbol("released");

/** Locks a fixture topic's row (FOR UPDATE) until `release()`. */
export const holdTopicRow = (topicId: string) =>
  holdInTransaction((tx) => tx.$queryRaw`SELECT id FROM fixture_topics WHERE id = ${topicId}::uuid FOR UPDATE`);
