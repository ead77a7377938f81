// Who may do what with the demo's resources, with real tokens from the run's identity provider:
// a user reads profiles and published posts, changes only their own things, and another user's
// thing answers exactly as a missing one (404, same body); admins (a role claim, or the user's
// role) do everything. Every route of the demo is in ROUTES, and a test keeps that list complete.
import { describe, expect, it } from "vitest";
import { app } from "../../../src/app";
import { call } from "../helpers";
import { bearer, userToken } from "../tokens";
import { createPost, createUser } from "./helpers";

/** A user of the demo by token: created on the token's first use. */
async function tokenUser(role?: string) {
  const sub = `user-${crypto.randomUUID()}`;
  const headers = bearer(await userToken(sub, { role }));
  const res = await call("/users/me", { headers });
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as { id: string };
  return { sub, id, headers };
}

/** A problem's body without `instance` (the path), to compare two 404s. */
async function problemBody(res: Response) {
  const { instance: _, ...rest } = (await res.json()) as Record<string, unknown>;
  return rest;
}

/** The 404 an unknown id gets on the same route: what another user's resource must look like. */
async function sameAsMissing(res: Response, path: string, init: RequestInit & { json?: unknown }) {
  expect(res.status).toBe(404);
  const missing = await call(path.replace(/[0-9a-f-]{36}/, crypto.randomUUID()), init);
  expect(await problemBody(res)).toEqual(await problemBody(missing));
}

// Every route the demo registers, and where this file proves who may call it.
const ROUTES = [
  "GET /users/me",
  "GET /users",
  "GET /users/:id",
  "POST /users",
  "PATCH /users/:id",
  "DELETE /users/:id",
  "PUT /users/:id/identity",
  "GET /posts",
  "GET /posts/:id",
  "POST /posts",
  "PATCH /posts/:id",
  "DELETE /posts/:id",
  "POST /posts/:id/move",
];

describe("ownership", () => {
  it("covers every route of the demo", () => {
    const demo = app.routes
      .filter((r) => /^\/(users|posts)/.test(r.path) && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(demo)].sort()).toEqual([...ROUTES].sort());
  });

  it("a token's first use creates one user, also when its first requests run at once", async () => {
    const headers = bearer(await userToken(`racer-${crypto.randomUUID()}`));
    const answers = await Promise.all(Array.from({ length: 6 }, () => call("/users/me", { headers })));
    const ids = await Promise.all(answers.map(async (res) => ((await res.json()) as { id: string }).id));
    expect(answers.map((res) => res.status)).toEqual(Array(6).fill(200));
    expect(new Set(ids).size).toBe(1);
  });

  it("users: profiles for anyone signed in, emails and changes only for their owner", async () => {
    const [a, b] = [await tokenUser(), await tokenUser()];
    const emailOf = (id: string) => `${id.slice(0, 8)}@owner.example.test`;
    for (const { id, headers } of [a, b]) {
      const res = await call(`/users/${id}`, { method: "PATCH", headers, json: { email: emailOf(id) } });
      expect(res.status).toBe(200);
    }

    const own = (await (await call(`/users/${a.id}`, { headers: a.headers })).json()) as { email?: string };
    expect(own.email).toBe(emailOf(a.id));
    const other = (await (await call(`/users/${b.id}`, { headers: a.headers })).json()) as Record<string, unknown>;
    expect(other.id).toBe(b.id);
    expect(other).not.toHaveProperty("email");
    const page = (await (await call("/users?limit=100", { headers: a.headers })).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(page.items.filter((u) => u.id !== a.id && "email" in u)).toEqual([]);
    // Searching for B's email finds nothing for A (it would tell A whose email it is).
    const probe = (await (await call(`/users?q=${emailOf(b.id)}`, { headers: a.headers })).json()) as {
      items: unknown[];
    };
    expect(probe.items).toEqual([]);

    const patch = { method: "PATCH", headers: a.headers, json: { name: "Not yours" } };
    await sameAsMissing(await call(`/users/${b.id}`, patch), `/users/${b.id}`, patch);
    const del = { method: "DELETE", headers: a.headers };
    await sameAsMissing(await call(`/users/${b.id}`, del), `/users/${b.id}`, del);
    expect((await call(`/users/${b.id}`, { headers: b.headers })).status).toBe(200);

    // A user changes their name, not their role; only admins create users or link identities.
    const role = await call(`/users/${a.id}`, { method: "PATCH", headers: a.headers, json: { role: "ADMIN" } });
    expect(role.status).toBe(403);
    const create = await call("/users", { method: "POST", headers: a.headers, json: { email: "x@example.test" } });
    expect(create.status).toBe(403);
    const link = await call(`/users/${b.id}/identity`, { method: "PUT", headers: a.headers, json: { subject: a.sub } });
    expect(link.status).toBe(403);
    // The service credential is no user.
    expect((await call("/users/me")).status).toBe(404);
  });

  it("posts: a user reads their own and published ones, and changes only their own", async () => {
    const [a, b] = [await tokenUser(), await tokenUser()];
    const mine = await call("/posts", { method: "POST", headers: a.headers, json: { title: "A's" } });
    expect(mine.status).toBe(201);
    const minePost = (await mine.json()) as { id: string; authorId: string };
    expect(minePost.authorId).toBe(a.id);
    const draft = await createPost(b.id, { title: "B's draft" });
    const published = await createPost(b.id, { title: "B's published", status: "PUBLISHED" });

    // Naming another author is refused as an unknown author is: it tells nothing more.
    const forB = await call("/posts", { method: "POST", headers: a.headers, json: { title: "x", authorId: b.id } });
    const forNobody = await call("/posts", {
      method: "POST",
      headers: a.headers,
      json: { title: "x", authorId: crypto.randomUUID() },
    });
    expect(forB.status).toBe(422);
    expect(await problemBody(forB)).toEqual(await problemBody(forNobody));

    const get = { headers: a.headers };
    await sameAsMissing(await call(`/posts/${draft.id}`, get), `/posts/${draft.id}`, get);
    expect((await call(`/posts/${published.id}`, get)).status).toBe(200);
    const list = (await (await call(`/posts?authorId=${b.id}`, get)).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((p) => p.id)).toEqual([published.id]);

    for (const target of [draft, published]) {
      const path = `/posts/${target.id}`;
      const patch = { method: "PATCH", headers: a.headers, json: { title: "Taken over" } };
      await sameAsMissing(await call(path, patch), path, patch);
      const del = { method: "DELETE", headers: a.headers };
      await sameAsMissing(await call(path, del), path, del);
      const move = { method: "POST", headers: a.headers, json: { authorId: a.id } };
      await sameAsMissing(await call(`${path}/move`, move), `${path}/move`, move);
    }
    expect((await call(`/posts/${draft.id}`, { headers: b.headers })).status).toBe(200);

    // Their own: changed, moved away (to B), and then it is B's.
    const own = `/posts/${minePost.id}`;
    expect((await call(own, { method: "PATCH", headers: a.headers, json: { title: "Mine" } })).status).toBe(200);
    const moved = await call(`${own}/move`, { method: "POST", headers: a.headers, json: { authorId: b.id } });
    expect(moved.status).toBe(200);
    expect((await call(own, { method: "DELETE", headers: a.headers })).status).toBe(404);
    expect((await call(own, { method: "DELETE", headers: b.headers })).status).toBe(204);
  });

  it("admins: by the token's role claim, or by the user's role", async () => {
    const owner = await createUser();
    const post = await createPost(owner.id, { title: "Someone's draft" });
    const byClaim = await tokenUser("admin");
    const patched = await call(`/posts/${post.id}`, {
      method: "PATCH",
      headers: byClaim.headers,
      json: { title: "Edited by an admin" },
    });
    expect(patched.status).toBe(200);
    const profile = (await (await call(`/users/${owner.id}`, { headers: byClaim.headers })).json()) as {
      email?: string;
    };
    expect(profile.email).toBe(owner.email);

    const promoted = await tokenUser();
    expect((await call(`/posts/${post.id}`, { headers: promoted.headers })).status).toBe(404);
    const role = await call(`/users/${promoted.id}`, {
      method: "PATCH",
      headers: byClaim.headers,
      json: { role: "ADMIN" },
    });
    expect(role.status).toBe(200);
    expect((await call(`/posts/${post.id}`, { headers: promoted.headers })).status).toBe(200);
  });

  it("an admin links a user to a token's identity: that token then acts as that user", async () => {
    const admin = await tokenUser("admin");
    const existing = await createUser();
    const sub = `linked-${crypto.randomUUID()}`;
    const link = await call(`/users/${existing.id}/identity`, {
      method: "PUT",
      headers: admin.headers,
      json: { subject: sub },
    });
    expect(link.status).toBe(200);
    const me = await call("/users/me", { headers: bearer(await userToken(sub)) });
    expect(((await me.json()) as { id: string }).id).toBe(existing.id);
    // An identity is one user's: linking it to another is a 409.
    const again = await call(`/users/${(await createUser()).id}/identity`, {
      method: "PUT",
      headers: admin.headers,
      json: { subject: sub },
    });
    expect(again.status).toBe(409);
  });

  it("idempotency keys are scoped per identity: the same key from two users makes two writes", async () => {
    const [a, b] = [await tokenUser(), await tokenUser()];
    const key = `key-${crypto.randomUUID()}`;
    const send = (headers: Record<string, string>) =>
      call("/posts", { method: "POST", headers: { ...headers, "Idempotency-Key": key }, json: { title: "Once" } });
    const [fromA, fromB] = [await send(a.headers), await send(b.headers)];
    expect([fromA.status, fromB.status]).toEqual([201, 201]);
    const [postA, postB] = [(await fromA.json()) as { id: string }, (await fromB.json()) as { id: string }];
    expect(postA.id).not.toBe(postB.id);
    const replay = await send(a.headers);
    expect(replay.headers.get("Idempotency-Replayed")).toBe("true");
    expect(((await replay.json()) as { id: string }).id).toBe(postA.id);
  });
});
