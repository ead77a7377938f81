import { describe, expect, it } from "vitest";
import { auth, call, problemOf, withDb } from "../helpers";
import { createUser, uniqueEmail } from "./helpers";

describe("users CRUD (single statements)", () => {
  it("creates (201 + Location), reads, updates and deletes a user", async () => {
    const email = uniqueEmail();
    const created = await call("/users", { method: "POST", headers: auth, json: { email, name: "Ada" } });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string; email: string; role: string; postCount: number };
    expect(user).toMatchObject({ email, name: "Ada", role: "USER", postCount: 0 });
    expect(created.headers.get("Location")).toBe(`/users/${user.id}`);

    const read = await call(`/users/${user.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: user.id, email });

    const updated = await call(`/users/${user.id}`, {
      method: "PATCH",
      headers: auth,
      json: { name: null, role: "ADMIN" },
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: user.id, name: null, role: "ADMIN" });

    const deleted = await call(`/users/${user.id}`, { method: "DELETE", headers: auth });
    expect(deleted.status).toBe(204);
    expect((await call(`/users/${user.id}`)).status).toBe(404);
  });

  it("409 names the field when the email is taken (P2002), on create and on update", async () => {
    const first = await createUser();
    const dup = await call("/users", { method: "POST", headers: auth, json: { email: first.email } });
    expect(dup.status).toBe(409);
    const problem = await problemOf(dup);
    expect(problem.detail).toContain("email");
    expect(problem.errors).toEqual([{ in: "json", pointer: "/email", detail: "must be unique" }]);

    const other = await createUser();
    const clash = await call(`/users/${other.id}`, { method: "PATCH", headers: auth, json: { email: first.email } });
    expect(clash.status).toBe(409);
    expect((await problemOf(clash)).detail).toContain("email");
  });

  it("emails are unique whatever their case: 409 on create, on every path, and on update", async () => {
    const email = uniqueEmail();
    expect((await createUser({ email })).email).toBe(email);
    const shouted = email.toUpperCase();
    // Without a key a single statement (Neon's HTTP), with one a transaction (WebSocket); the
    // hyperdrive project runs both on Hyperdrive.
    for (const headers of [auth, { ...auth, "Idempotency-Key": crypto.randomUUID() }]) {
      const dup = await call("/users", { method: "POST", headers, json: { email: shouted } });
      expect(dup.status).toBe(409);
      expect((await problemOf(dup)).errors).toEqual([{ in: "json", pointer: "/email", detail: "must be unique" }]);
    }
    const other = await createUser();
    const clash = await call(`/users/${other.id}`, { method: "PATCH", headers: auth, json: { email: shouted } });
    expect(clash.status).toBe(409);
    expect((await problemOf(clash)).errors?.[0]?.pointer).toBe("/email");
  });

  it("stores emails lowercased, and the database refuses any other form from a direct write", async () => {
    const email = uniqueEmail();
    expect((await createUser({ email: email.toUpperCase() })).email).toBe(email);
    const other = await createUser();
    const patched = await call(`/users/${other.id}`, { method: "PATCH", headers: auth, json: { email: `X${email}` } });
    expect(((await patched.json()) as { email: string }).email).toBe(`x${email}`);
    await expect(withDb((db) => db.user.create({ data: { email: `Y${email}` } }))).rejects.toThrow(
      /users_email_lowercase/,
    );
  });

  it("404 (P2025) for a missing user on get, update and delete", async () => {
    const missing = crypto.randomUUID();
    for (const [method, init] of [
      ["GET", {}],
      ["PATCH", { headers: auth, json: { name: "x" } }],
      ["DELETE", { headers: auth }],
    ] as const) {
      const res = await call(`/users/${missing}`, { method, ...init });
      expect(res.status, method).toBe(404);
      expect((await problemOf(res)).instance).toBe(`/users/${missing}`);
    }
  });
});

describe("users list: cursor pagination and filters", () => {
  it("pages newest first with a bounded limit and a nextCursor, without gaps or repeats", async () => {
    const tag = `page-${crypto.randomUUID().slice(0, 8)}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createUser({ name: `${tag} ${i}` }));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = `?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await call(`/users${qs}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((u) => u.id).reverse());
  });

  it("filters by role and by q (email or name, case-insensitive)", async () => {
    const tag = `filter-${crypto.randomUUID().slice(0, 8)}`;
    const admin = await createUser({ name: `${tag} Admin`, role: "ADMIN" });
    await createUser({ name: `${tag} user` });
    const res = await call(`/users?q=${tag.toUpperCase()}&role=ADMIN`);
    const body = (await res.json()) as { items: { id: string }[] };
    expect(body.items.map((u) => u.id)).toEqual([admin.id]);
  });

  it("400 for limit out of range, a forged cursor and an unknown query parameter", async () => {
    for (const [qs, pointer] of [
      ["limit=0", "/limit"],
      ["limit=101", "/limit"],
      ["cursor=not-a-cursor", "/cursor"],
      ["sort=email", "/sort"],
    ]) {
      const res = await call(`/users?${qs}`);
      expect(res.status, qs).toBe(400);
      const problem = await problemOf(res);
      expect(problem.errors?.[0]).toMatchObject({ in: "query", pointer });
    }
  });
});

describe("users validation", () => {
  it("400 names an unknown body field (schemas are strict)", async () => {
    const res = await call("/users", { method: "POST", headers: auth, json: { email: uniqueEmail(), admin: true } });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.type).toBe("urn:problem-type:validation-error");
    expect(problem.errors).toEqual([{ in: "json", pointer: "/admin", detail: "unknown field" }]);
  });

  it("400 for an invalid email, and for a path id that is not a UUID", async () => {
    const bad = await call("/users", { method: "POST", headers: auth, json: { email: "nope" } });
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).errors?.[0]).toMatchObject({ in: "json", pointer: "/email" });

    const badId = await call("/users/123");
    expect(badId.status).toBe(400);
    expect((await problemOf(badId)).errors?.[0]).toMatchObject({ in: "param", pointer: "/id" });
  });

  it("400 for malformed JSON, 415 for a non-JSON body", async () => {
    const malformed = await call("/users", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: '{"email": ',
    });
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).detail).toBe("The request body is not valid JSON.");

    const text = await call("/users", {
      method: "POST",
      headers: { ...auth, "Content-Type": "text/plain" },
      body: "hi",
    });
    expect(text.status).toBe(415);
    await problemOf(text);
  });
});
