import { describe, expect, it } from "vitest";
import { auth, call, createUser, getUser, problemOf, uniqueEmail } from "./helpers";

const post = (path: string, key: string, json: unknown) =>
  call(path, { method: "POST", headers: { ...auth, "Idempotency-Key": key }, json });

const countUsers = async (q: string) =>
  ((await (await call(`/users?q=${encodeURIComponent(q)}&limit=100`)).json()) as { items: unknown[] }).items.length;

describe("Idempotency-Key on POST", () => {
  it("a retry returns the first response and writes nothing new (HTTP route)", async () => {
    const key = crypto.randomUUID();
    const body = { email: uniqueEmail("idem") };
    const first = await post("/users", key, body);
    expect(first.status).toBe(201);
    const created = await first.json();

    const retry = await post("/users", key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(created);
    expect(await countUsers(body.email)).toBe(1);
  });

  it("a retried transactional create (WebSocket route) does not create a 2nd post or bump postCount twice", async () => {
    const author = await createUser();
    const key = crypto.randomUUID();
    const body = { title: "Once", authorId: author.id };
    const first = await post("/posts", key, body);
    const retry = await post("/posts", key, body);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(await retry.json()).toEqual(await first.json());
    expect((await getUser(author.id)).postCount).toBe(1);
  });

  it("422 when the same key comes with a different body", async () => {
    const key = crypto.randomUUID();
    expect((await post("/users", key, { email: uniqueEmail("idem") })).status).toBe(201);
    const other = await post("/users", key, { email: uniqueEmail("idem") });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe("urn:problem-type:idempotency-key-reused");
  });

  it("concurrent retries: exactly one write; the others replay it or get 409 + Retry-After", async () => {
    const key = crypto.randomUUID();
    const body = { email: uniqueEmail("race") };
    const results = await Promise.all(Array.from({ length: 5 }, () => post("/users", key, body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const r of results.filter((r) => r.status === 409)) expect(r.headers.get("Retry-After")).toBe("1");
    const ids = new Set(
      await Promise.all(
        results.filter((r) => r.status === 201).map(async (r) => ((await r.json()) as { id: string }).id),
      ),
    );
    expect(ids.size).toBe(1);
    await Promise.all(results.filter((r) => r.status !== 201).map((r) => r.body?.cancel()));
    expect(await countUsers(body.email)).toBe(1);
  });

  it("a failed request releases its key: fixing the body and retrying with the same key works", async () => {
    const key = crypto.randomUUID();
    const taken = await createUser();
    expect((await post("/users", key, { email: taken.email })).status).toBe(409);
    const fixed = await post("/users", key, { email: uniqueEmail("fixed") });
    expect(fixed.status).toBe(201);
  });

  it("400 for a malformed key", async () => {
    const res = await post("/users", "has spaces in it", { email: uniqueEmail() });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.[0]?.pointer).toBe("/idempotency-key");
  });
});
