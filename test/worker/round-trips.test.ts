import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../src/db/prisma";
import type { Bindings, Transport } from "../../src/env";
import { auth, call, createPost, createUser, neonStats, resetNeonStats, uniqueEmail } from "./helpers";

// Database round trips per endpoint, read from the local Neon proxy's counters (a round trip =
// one client→server flight and its reply; HTTP = 1 per /sql request). The driver pipelines
// startup + password + first query over WebSocket, so the Postgres-level count of a single query
// is 1 on both transports; but every WebSocket first needs its HTTP Upgrade (101) exchange,
// which that count leaves out. "flights" = round trips + WebSockets opened: what a request pays.
// Counters are shared by test files running in parallel, so each figure is the minimum over a
// few repetitions (other traffic can only add).
const REPEATS = 5;
const table: Record<string, Record<string, string>> = {};

/** Returns the flights (round trips + WebSocket upgrades); records "flights (pg round trips + ws opened)". */
async function measure(label: string, column: string, run: () => Promise<unknown>): Promise<number> {
  let best = { flights: Infinity, roundTrips: 0, wsOpened: 0 };
  for (let i = 0; i < REPEATS; i++) {
    await resetNeonStats();
    await run();
    const { roundTrips, wsOpened } = await neonStats();
    if (roundTrips + wsOpened < best.flights) best = { flights: roundTrips + wsOpened, roundTrips, wsOpened };
  }
  table[label] = { ...table[label], [column]: `${best.flights} (${best.roundTrips} + ${best.wsOpened})` };
  return best.flights;
}

/** The same Prisma call on a fresh client of the given transport, as a route would make it. */
async function viaClient(transport: Transport, query: (p: ReturnType<typeof createPrismaClient>) => Promise<unknown>) {
  const prisma = createPrismaClient(env as Bindings, transport);
  try {
    await query(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

afterAll(() => {
  console.log(
    `flights = pg round trips + WebSockets opened (route's transport | same queries on a fresh client per transport)\n${JSON.stringify(table, null, 2)}`,
  );
});

describe("round trips per request", () => {
  it("single-query reads: HTTP costs fewer round trips than WebSocket", async () => {
    const user = await createUser();
    const route = await measure("GET /users/{id}", "route (http)", () => call(`/users/${user.id}`));
    const http = await measure("GET /users/{id}", "http", () =>
      viaClient("http", (p) => p.user.findUnique({ where: { id: user.id } })),
    );
    const ws = await measure("GET /users/{id}", "ws", () =>
      viaClient("ws", (p) => p.user.findUnique({ where: { id: user.id } })),
    );
    expect(route).toBe(http);
    expect(http).toBeLessThan(ws);
    // The README's table: 1 over HTTP; upgrade + pipelined startup/auth/query over WebSocket.
    expect([route, ws]).toEqual([1, 2]);

    const listQuery = (p: ReturnType<typeof createPrismaClient>) =>
      p.user.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 21 });
    expect(await measure("GET /users", "route (http)", () => call("/users"))).toBe(1);
    expect(await measure("GET /users", "http", () => viaClient("http", listQuery))).toBeLessThan(
      await measure("GET /users", "ws", () => viaClient("ws", listQuery)),
    );
    expect(await measure("GET /posts", "route (http)", () => call("/posts"))).toBe(1);
    expect(await measure("GET /health", "ws", () => call("/health?transport=ws"))).toBe(2);
    expect(await measure("GET /health", "http", () => call("/health?transport=http"))).toBe(1);
  });

  it("single-statement writes: HTTP too", async () => {
    const user = await createUser();
    const create = await measure("POST /users", "route (http)", () =>
      call("/users", { method: "POST", headers: auth, json: { email: uniqueEmail("rt") } }),
    );
    const createWs = await measure("POST /users", "ws", () =>
      viaClient("ws", (p) => p.user.create({ data: { email: uniqueEmail("rt") } })),
    );
    // Claim the key, create, store the response: three statements, one flight each.
    const idempotentCreate = await measure("POST /users + Idempotency-Key", "route (http)", () =>
      call("/users", {
        method: "POST",
        headers: { ...auth, "Idempotency-Key": crypto.randomUUID() },
        json: { email: uniqueEmail("rt") },
      }),
    );
    expect([create, createWs, idempotentCreate]).toEqual([1, 2, 3]);
    const patch = await measure("PATCH /users/{id}", "route (http)", () =>
      call(`/users/${user.id}`, { method: "PATCH", headers: auth, json: { name: "n" } }),
    );
    const patchWs = await measure("PATCH /users/{id}", "ws", () =>
      viaClient("ws", (p) => p.user.update({ where: { id: user.id }, data: { name: "n" } })),
    );
    expect(patch).toBeLessThan(patchWs);
    expect([patch, patchWs]).toEqual([1, 2]);
  });

  it("transactional writes (WebSocket only)", async () => {
    const [a, b] = [await createUser(), await createUser()];
    // Each must succeed, or a failing request's shorter path would be counted.
    const ok = async (res: Promise<Response>, status: number) => expect((await res).status).toBe(status);
    // The README's table: the upgrade plus 4 round trips (create, delete) or 6 (move).
    const create = await measure("POST /posts (tx)", "route (ws)", () =>
      ok(call("/posts", { method: "POST", headers: auth, json: { title: "t", authorId: a.id } }), 201),
    );
    const post = await createPost(a.id);
    let to = b.id;
    const move = await measure("POST /posts/{id}/move (tx)", "route (ws)", async () => {
      await ok(call(`/posts/${post.id}/move`, { method: "POST", headers: auth, json: { authorId: to } }), 200);
      to = to === b.id ? a.id : b.id;
    });
    const victims = await Promise.all(Array.from({ length: REPEATS }, () => createPost(a.id)));
    const remove = await measure("DELETE /posts/{id} (tx)", "route (ws)", () =>
      ok(call(`/posts/${victims.pop()!.id}`, { method: "DELETE", headers: auth }), 204),
    );
    expect({ create, move, remove }).toEqual({ create: 5, move: 7, remove: 5 });
  });
});
