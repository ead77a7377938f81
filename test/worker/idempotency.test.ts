import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createPrismaClient, transportFor } from "../../src/db/prisma";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";
import { IDEMPOTENCY_KEY_TTL_MS, SWEEP_BATCH } from "../../src/jobs/sweep-idempotency-keys";
import { call, callWith, createPost, createUser, getUser, problemOf, uniqueEmail } from "./helpers";

const post = (path: string, key: string, json: unknown) =>
  call(path, { method: "POST", headers: { "Idempotency-Key": key }, json });

const countUsers = async (q: string) =>
  ((await (await call(`/users?q=${encodeURIComponent(q)}&limit=100`)).json()) as { items: unknown[] }).items.length;

/** Straight to the database through the Worker's own Prisma (real client, real driver). */
async function withDb<T>(run: (db: ReturnType<typeof createPrismaClient>) => Promise<T>): Promise<T> {
  const db = createPrismaClient(env as Bindings, transportFor(env as Bindings, "transaction"));
  try {
    return await run(db);
  } finally {
    await db.$disconnect();
  }
}

describe("Idempotency-Key on POST", () => {
  it("a retry replays the first response, status, body and headers (Location), and writes nothing new", async () => {
    const key = crypto.randomUUID();
    const body = { email: uniqueEmail("idem") };
    const first = await post("/users", key, body);
    expect(first.status).toBe(201);
    const created = await first.json();

    const retry = await post("/users", key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(retry.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(retry.headers.get("Content-Type")).toBe(first.headers.get("Content-Type"));
    expect(retry.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
    expect(await retry.json()).toEqual(created);
    expect(await countUsers(body.email)).toBe(1);
  });

  it("a retried transactional create does not create a 2nd post or bump postCount twice", async () => {
    const author = await createUser();
    const key = crypto.randomUUID();
    const body = { title: "Once", authorId: author.id };
    const first = await post("/posts", key, body);
    const retry = await post("/posts", key, body);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(await retry.json()).toEqual(await first.json());
    expect((await getUser(author.id)).postCount).toBe(1);
  });

  it("POST /posts/{id}/move honours it: a retried move moves once", async () => {
    const [a, b] = [await createUser(), await createUser()];
    const moved = await createPost(a.id);
    const key = crypto.randomUUID();
    const first = await post(`/posts/${moved.id}/move`, key, { authorId: b.id });
    const retry = await post(`/posts/${moved.id}/move`, key, { authorId: b.id });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect([(await getUser(a.id)).postCount, (await getUser(b.id)).postCount]).toEqual([0, 1]);
  });

  it("422 when the same key comes with a different body", async () => {
    const key = crypto.randomUUID();
    expect((await post("/users", key, { email: uniqueEmail("idem") })).status).toBe(201);
    const other = await post("/users", key, { email: uniqueEmail("idem") });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe("urn:problem-type:idempotency-key-reused");
  });

  it("keys are scoped by caller and by route: the same key elsewhere is another key", async () => {
    const key = crypto.randomUUID();
    expect((await post("/users", key, { email: uniqueEmail("scope") })).status).toBe(201);
    // Another caller (another token), same key, same route: a write of its own.
    const otherToken = "another-callers-token-0123456789";
    const other = await callWith({ API_TOKEN: otherToken }, "/users", {
      method: "POST",
      headers: { Authorization: `Bearer ${otherToken}`, "Idempotency-Key": key },
      json: { email: uniqueEmail("scope") },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get("Idempotency-Replayed")).toBeNull();
    // The same caller, same key, another route.
    const author = await createUser();
    const onPosts = await post("/posts", key, { title: "scoped", authorId: author.id });
    expect(onPosts.status).toBe(201);
    expect(onPosts.headers.get("Idempotency-Replayed")).toBeNull();
  });

  it("concurrent retries: exactly one write, and every one of them answers with it", async () => {
    const key = crypto.randomUUID();
    const body = { email: uniqueEmail("race") };
    const results = await Promise.all(Array.from({ length: 5 }, () => post("/users", key, body)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers.get("Idempotency-Replayed") === "true")).toHaveLength(4);
    expect(await countUsers(body.email)).toBe(1);
  });

  it("a failed request writes nothing and keeps no key: fixing the body and retrying with it works", async () => {
    const key = crypto.randomUUID();
    const taken = await createUser();
    expect((await post("/users", key, { email: taken.email })).status).toBe(409);
    // A move that fails after its first UPDATE (unknown target): rolled back with the key.
    const author = await createUser();
    const p = await createPost(author.id);
    const moveKey = crypto.randomUUID();
    expect((await post(`/posts/${p.id}/move`, moveKey, { authorId: crypto.randomUUID() })).status).toBe(422);
    expect((await getUser(author.id)).postCount).toBe(1);
    expect((await post("/users", key, { email: uniqueEmail("fixed") })).status).toBe(201);
  });

  it("400 for a malformed key", async () => {
    const res = await post("/users", "has spaces in it", { email: uniqueEmail() });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.[0]?.pointer).toBe("/idempotency-key");
  });
});

describe("the hourly sweep (the Worker's scheduled handler, wrangler.toml [triggers])", () => {
  it("deletes keys older than the TTL in batches of SWEEP_BATCH, keeps the fresh ones", async () => {
    const fresh = crypto.randomUUID();
    expect((await post("/users", fresh, { email: uniqueEmail("fresh") })).status).toBe(201);
    // More expired keys than one batch holds, so the sweep needs several.
    const caller = `sweep-test-${crypto.randomUUID()}`;
    const old = new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 60_000);
    await withDb((db) =>
      db.idempotencyKey.createMany({
        data: Array.from({ length: SWEEP_BATCH + 7 }, (_, i) => ({
          caller,
          route: "POST /users",
          key: `k${i}`,
          fingerprint: "f",
          status: 201,
          headers: {},
          body: "{}",
          createdAt: new Date(old.getTime() - i),
        })),
      }),
    );

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);

    const left = await withDb(async (db) => ({
      expired: await db.idempotencyKey.count({ where: { caller } }),
      fresh: await db.idempotencyKey.count({ where: { key: fresh } }),
    }));
    expect(left).toEqual({ expired: 0, fresh: 1 });
  });
});
