import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../../src/db/prisma";
import type { Bindings, DatabaseNeed, Transport } from "../../../src/env";
import { auth, call, callWith, neonStats, resetNeonStats } from "../helpers";
import { onHyperdrive, transportOf } from "../paths";
import { createPost, createUser, uniqueEmail } from "./helpers";

// Database round trips per endpoint, read from the local Neon proxy's counters (a round trip =
// one client→server flight and its reply; HTTP = 1 per /sql request). The driver pipelines
// startup + password + first query over WebSocket, so the Postgres-level count of a single query
// is 1 on both transports; but every WebSocket first needs its HTTP Upgrade (101) exchange,
// which that count leaves out. Over Hyperdrive (pg over TCP), connection setup (startup and
// password, 2 flights here) stays inside Cloudflare's data centre; only query flights cross.
// "flights" = what a request pays across the network: round trips + WebSockets opened − setup
// flights kept in the data centre.
// Counters are shared by test files running in parallel, so each figure is the minimum over a
// few repetitions (other traffic can only add).
const REPEATS = 5;
const TCP_SETUP_FLIGHTS = 2;
const table: Record<string, Record<string, string>> = {};

/** Returns the flights; records "flights (pg round trips + ws opened − tcp setup)". */
async function measure(label: string, column: string, run: () => Promise<unknown>): Promise<number> {
  let best = { flights: Infinity, detail: "" };
  for (let i = 0; i < REPEATS; i++) {
    await resetNeonStats();
    await run();
    const { roundTrips, wsOpened, tcpOpened } = await neonStats();
    const flights = roundTrips + wsOpened - TCP_SETUP_FLIGHTS * tcpOpened;
    if (flights < best.flights)
      best = { flights, detail: `${roundTrips} + ${wsOpened} − ${TCP_SETUP_FLIGHTS * tcpOpened}` };
  }
  table[label] = { ...table[label], [column]: `${best.flights} (${best.detail})` };
  return best.flights;
}

const routeColumn = (need: DatabaseNeed) => `route (${transportOf(need)})`;

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
    `flights = pg round trips + WebSockets opened − tcp setup (route's transport | same queries on a fresh client per transport)\n${JSON.stringify(table, null, 2)}`,
  );
});

describe("round trips per request", () => {
  it("single-query reads: 1 flight; Neon's HTTP costs fewer than its WebSocket", async () => {
    const user = await createUser();
    const route = await measure("GET /users/{id}", routeColumn("statement"), () => call(`/users/${user.id}`));
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
    // NEON_STATEMENT_TRANSPORT=ws sends the route's statement over WebSocket (Hyperdrive, when bound, wins).
    const routeOverWs = await measure("GET /users/{id}", "route, NEON_STATEMENT_TRANSPORT=ws", () =>
      callWith({ NEON_STATEMENT_TRANSPORT: "ws" }, `/users/${user.id}`),
    );
    expect(routeOverWs).toBe(onHyperdrive ? 1 : 2);

    const listQuery = (p: ReturnType<typeof createPrismaClient>) =>
      p.user.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 21 });
    expect(await measure("GET /users", routeColumn("statement"), () => call("/users"))).toBe(1);
    expect(await measure("GET /users", "http", () => viaClient("http", listQuery))).toBeLessThan(
      await measure("GET /users", "ws", () => viaClient("ws", listQuery)),
    );
    expect(await measure("GET /posts", routeColumn("statement"), () => call("/posts"))).toBe(1);
    // Over WebSocket: upgrade + pipelined startup/auth/query; over HTTP or Hyperdrive: the query.
    expect(
      await measure("GET /health?need=transaction", routeColumn("transaction"), () => call("/health?need=transaction")),
    ).toBe(onHyperdrive ? 1 : 2);
    expect(
      await measure("GET /health?need=statement", routeColumn("statement"), () => call("/health?need=statement")),
    ).toBe(1);
  });

  it("single-statement writes: 1 flight each too", async () => {
    const user = await createUser();
    const create = await measure("POST /users", routeColumn("statement"), () =>
      call("/users", { method: "POST", headers: auth, json: { email: uniqueEmail("rt") } }),
    );
    const createWs = await measure("POST /users", "ws", () =>
      viaClient("ws", (p) => p.user.create({ data: { email: uniqueEmail("rt") } })),
    );
    // With a key the write is a transaction (src/middleware/idempotency.ts): look the key up, BEGIN,
    // bound the transaction (SET LOCAL), create, record the key and response, COMMIT: 6 flights,
    // plus the upgrade over WebSocket.
    const idempotentCreate = await measure("POST /users + Idempotency-Key", routeColumn("transaction"), () =>
      call("/users", {
        method: "POST",
        headers: { ...auth, "Idempotency-Key": crypto.randomUUID() },
        json: { email: uniqueEmail("rt") },
      }),
    );
    expect([create, createWs, idempotentCreate]).toEqual([1, 2, onHyperdrive ? 6 : 7]);
    const patch = await measure("PATCH /users/{id}", routeColumn("statement"), () =>
      call(`/users/${user.id}`, { method: "PATCH", headers: auth, json: { name: "n" } }),
    );
    const patchWs = await measure("PATCH /users/{id}", "ws", () =>
      viaClient("ws", (p) => p.user.update({ where: { id: user.id }, data: { name: "n" } })),
    );
    expect(patch).toBeLessThan(patchWs);
    expect([patch, patchWs]).toEqual([1, 2]);
  });

  it("atomic writes with no read in between: one statement, so one flight, on every path", async () => {
    const a = await createUser();
    const ok = async (res: Promise<Response>, status: number) => expect((await res).status).toBe(status);
    // One INSERT (src/services/posts.ts); the trigger bumps the author's counter inside it.
    const create = await measure("POST /posts", routeColumn("statement"), () =>
      ok(call("/posts", { method: "POST", headers: auth, json: { title: "t", authorId: a.id } }), 201),
    );
    const victims = await Promise.all(Array.from({ length: 2 * REPEATS }, () => createPost(a.id)));
    const remove = await measure("DELETE /posts/{id}", routeColumn("statement"), () =>
      ok(call(`/posts/${victims.pop()!.id}`, { method: "DELETE", headers: auth }), 204),
    );
    // Over WebSocket (NEON_STATEMENT_TRANSPORT=ws): its upgrade, then the statement.
    const withWs = { NEON_STATEMENT_TRANSPORT: "ws" } as const;
    const createWs = await measure("POST /posts", "route, NEON_STATEMENT_TRANSPORT=ws", () =>
      ok(callWith(withWs, "/posts", { method: "POST", headers: auth, json: { title: "t", authorId: a.id } }), 201),
    );
    const removeWs = await measure("DELETE /posts/{id}", "route, NEON_STATEMENT_TRANSPORT=ws", () =>
      ok(callWith(withWs, `/posts/${victims.pop()!.id}`, { method: "DELETE", headers: auth }), 204),
    );
    expect({ create, remove, createWs, removeWs }).toEqual({
      create: 1,
      remove: 1,
      createWs: onHyperdrive ? 1 : 2,
      removeWs: onHyperdrive ? 1 : 2,
    });
    // Still atomic and exact: the counter equals the posts left.
    const posts = (await (await call(`/posts?authorId=${a.id}&limit=100`)).json()) as { items: unknown[] };
    expect((await (await call(`/users/${a.id}`)).json()) as { postCount: number }).toMatchObject({
      postCount: posts.items.length,
    });
  });

  it("transactional writes (WebSocket or Hyperdrive)", async () => {
    const [a, b] = [await createUser(), await createUser()];
    const ok = async (res: Promise<Response>, status: number) => expect((await res).status).toBe(status);
    const upgrade = onHyperdrive ? 0 : 1;
    // A keyed create: look the key up, BEGIN, bound the transaction, the write, record the key, COMMIT.
    const keyed = await measure("POST /posts + Idempotency-Key", routeColumn("transaction"), () =>
      ok(
        call("/posts", {
          method: "POST",
          headers: { ...auth, "Idempotency-Key": crypto.randomUUID() },
          json: { title: "t", authorId: a.id },
        }),
        201,
      ),
    );
    // The move reads, checks and writes (the interactive transaction kept as the example):
    // BEGIN, lock and read the post, reassign it (the trigger moves the counts), COMMIT.
    const post = await createPost(a.id);
    let to = b.id;
    const move = await measure("POST /posts/{id}/move (tx)", routeColumn("transaction"), async () => {
      await ok(call(`/posts/${post.id}/move`, { method: "POST", headers: auth, json: { authorId: to } }), 200);
      to = to === b.id ? a.id : b.id;
    });
    expect({ keyed, move }).toEqual({ keyed: 6 + upgrade, move: 4 + upgrade });
  });
});
