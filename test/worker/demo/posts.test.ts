import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startupQueries } from "../../../src/app";
import type { Bindings } from "../../../src/env";
import { referenceViolation } from "../../../src/errors/prisma";
import { settingsOf } from "../../../src/settings";
import { auth, call, callWith, problemOf } from "../helpers";
import { plansAfterWarmUp } from "../speed/plans";
import { createPost, createUser, getUser } from "./helpers";

/** Whether the speed layer plans at startup (off: PRISMA_SPEED_LAYER = "off", the stock-prisma projects). */
const planned = settingsOf(env as Bindings).prismaSpeedLayer.has("warm-up");

describe("posts CRUD", () => {
  it("creates a post and bumps postCount (the trigger, in the INSERT's statement)", async () => {
    const author = await createUser();
    const res = await call("/posts", { method: "POST", headers: auth, json: { title: "Hello", authorId: author.id } });
    expect(res.status).toBe(201);
    const post = (await res.json()) as { id: string };
    expect(post).toMatchObject({ title: "Hello", content: "", status: "DRAFT", authorId: author.id });
    expect(res.headers.get("Location")).toBe(`/posts/${post.id}`);
    expect((await getUser(author.id)).postCount).toBe(1);
  });

  it("reads, updates and deletes (postCount decremented by the trigger)", async () => {
    const author = await createUser();
    const post = await createPost(author.id);
    expect((await call(`/posts/${post.id}`)).status).toBe(200);

    const patched = await call(`/posts/${post.id}`, { method: "PATCH", headers: auth, json: { status: "PUBLISHED" } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: post.id, status: "PUBLISHED" });

    expect((await call(`/posts/${post.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await call(`/posts/${post.id}`)).status).toBe(404);
    expect((await getUser(author.id)).postCount).toBe(0);
  });

  it("422 /authorId when the author does not exist (the foreign key), on every path, and nothing is written", async () => {
    const ghost = crypto.randomUUID();
    const json = { title: "Orphan", authorId: ghost };
    const expected = { ...referenceViolation("authorId").problem, instance: "/posts" };
    for (const [path, send] of [
      ["statement (HTTP, or Hyperdrive)", () => call("/posts", { method: "POST", headers: auth, json })],
      [
        "statement over WebSocket",
        () => callWith({ NEON_STATEMENT_TRANSPORT: "ws" }, "/posts", { method: "POST", headers: auth, json }),
      ],
      [
        "keyed: a transaction (WebSocket, or Hyperdrive)",
        () => call("/posts", { method: "POST", headers: { ...auth, "Idempotency-Key": crypto.randomUUID() }, json }),
      ],
    ] as const) {
      const res = await send();
      expect(res.status, path).toBe(422);
      expect(await problemOf(res), path).toEqual(expected);
    }
    const list = (await (await call(`/posts?authorId=${ghost}`)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it("404 for a missing post on get, patch, delete and move", async () => {
    const missing = crypto.randomUUID();
    const author = await createUser();
    expect((await call(`/posts/${missing}`)).status).toBe(404);
    expect((await call(`/posts/${missing}`, { method: "PATCH", headers: auth, json: { title: "x" } })).status).toBe(
      404,
    );
    expect((await call(`/posts/${missing}`, { method: "DELETE", headers: auth })).status).toBe(404);
    const move = await call(`/posts/${missing}/move`, { method: "POST", headers: auth, json: { authorId: author.id } });
    expect(move.status).toBe(404);
    await problemOf(move);
  });
});

describe("POST /posts/{id}/move (interactive transaction over WebSocket)", () => {
  it.runIf(planned)(
    "finds its queries planned at startup (src/app.ts startupQueries), and only with them",
    async () => {
      const [from, to] = [await createUser(), await createUser()];
      const post = await createPost(from.id);
      let target = to;
      const move = async () => {
        const res = await call(`/posts/${post.id}/move`, {
          method: "POST",
          headers: auth,
          json: { authorId: target.id },
        });
        expect(res.status).toBe(200);
        target = target === to ? from : to;
      };
      // Two statements: lock the post, reassign (the trigger moves the counts).
      expect((await plansAfterWarmUp([], move)).misses).toBe(2);
      expect(await plansAfterWarmUp(startupQueries, move)).toEqual({ hits: 2, misses: 0 });
    },
  );

  it("moves the post and adjusts both authors' postCount", async () => {
    const [from, to] = [await createUser(), await createUser()];
    const post = await createPost(from.id);
    const res = await call(`/posts/${post.id}/move`, { method: "POST", headers: auth, json: { authorId: to.id } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: post.id, authorId: to.id });
    expect((await getUser(from.id)).postCount).toBe(0);
    expect((await getUser(to.id)).postCount).toBe(1);
  });

  it("is atomic: 422 /authorId (the foreign key) when the target does not exist, and nothing changes", async () => {
    const from = await createUser();
    const post = await createPost(from.id);
    const res = await call(`/posts/${post.id}/move`, {
      method: "POST",
      headers: auth,
      json: { authorId: crypto.randomUUID() },
    });
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toEqual({
      ...referenceViolation("authorId").problem,
      instance: `/posts/${post.id}/move`,
    });
    // The post's lock (its updatedAt) ran before the failing statement; the rollback undid it.
    expect((await getUser(from.id)).postCount).toBe(1);
    expect(await (await call(`/posts/${post.id}`)).json()).toMatchObject({ authorId: from.id });
  });

  it("409 when moving to the current author (invariant), nothing changes", async () => {
    const author = await createUser();
    const post = await createPost(author.id);
    const res = await call(`/posts/${post.id}/move`, { method: "POST", headers: auth, json: { authorId: author.id } });
    expect(res.status).toBe(409);
    expect((await getUser(author.id)).postCount).toBe(1);
  });
});

describe("posts list", () => {
  it("filters by author, status and title text, newest first, and paginates", async () => {
    const author = await createUser();
    const a = await createPost(author.id, { title: "Alpha zebra", status: "PUBLISHED" });
    const b = await createPost(author.id, { title: "Beta zebra", status: "PUBLISHED" });
    await createPost(author.id, { title: "Gamma", status: "DRAFT" });

    const res = await call(`/posts?authorId=${author.id}&status=PUBLISHED&q=ZEBRA&limit=1`);
    const page1 = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page1.items.map((p) => p.id)).toEqual([b.id]);
    expect(page1.nextCursor).toBeTypeOf("string");
    const page2 = (await (
      await call(`/posts?authorId=${author.id}&status=PUBLISHED&q=zebra&limit=1&cursor=${page1.nextCursor}`)
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page2.items.map((p) => p.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeNull();
  });

  it("400 for an unknown status value and an authorId that is not a UUID", async () => {
    const res = await call("/posts?status=ARCHIVED&authorId=42");
    expect(res.status).toBe(400);
    const pointers = (await problemOf(res)).errors?.map((e) => e.pointer).sort();
    expect(pointers).toEqual(["/authorId", "/status"]);
  });
});
