// The isolate-wide query compiler and plan cache (src/db/shared-compiler.ts): built once per
// connection shape rather than once per request, and safe under concurrency, where every
// response must belong to its own request and nothing may cross between requests.
import { afterEach, describe, expect, it, vi } from "vitest";
import { sharedCompilerCounts } from "../../src/db/shared-compiler";
import { callWith, createUser, uniqueEmail } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** The app in this module graph (where the counts live), with the test bindings. */
const request = (path: string, init: Parameters<typeof callWith>[2] = {}) => callWith({}, path, init);

describe("the shared query compiler", () => {
  it("is built once per connection shape, not once per request, and plans are reused", async () => {
    const user = await createUser();
    const round = async () => {
      expect((await request(`/users/${user.id}`)).status).toBe(200); // one statement
      expect((await request("/users?limit=2")).status).toBe(200);
      // A keyed write: a transaction on the WebSocket (or Hyperdrive) shape, with Prisma queries on
      // the idempotency key (the post itself is one raw statement, which Prisma does not plan).
      const post = await request("/posts", {
        method: "POST",
        headers: { "Idempotency-Key": crypto.randomUUID() },
        json: { title: "shared", authorId: user.id },
      });
      expect(post.status).toBe(201);
    };
    await round();
    const before = sharedCompilerCounts();
    for (let i = 0; i < 10; i++) await round();
    const after = sharedCompilerCounts();
    // Prisma took the hook: a dropped __internal.configOverride would leave this at 0.
    expect(after.compilersBuilt).toBeGreaterThan(0);
    // 30 more requests and 30 more clients, no new compiler: HTTP and WebSocket (or Hyperdrive's
    // one) shapes, plus the warm-up's.
    expect(after.compilersBuilt).toBe(before.compilersBuilt);
    expect(after.compilersBuilt).toBeLessThanOrEqual(3);
    expect(after.planMisses).toBe(before.planMisses);
    expect(after.planHits - before.planHits).toBeGreaterThanOrEqual(30);
  });

  it("1,000 mixed requests at concurrency 64: each response is its own request's, nothing crosses", async () => {
    const warnings = vi.spyOn(console, "warn");
    const errors = vi.spyOn(console, "error");
    const authors = await Promise.all(Array.from({ length: 8 }, () => createUser()));
    const TOTAL = 1000;
    const CONCURRENCY = 64;
    const wrong: string[] = [];
    const check = (label: string, ok: boolean) => {
      if (!ok && wrong.length < 10) wrong.push(label);
    };

    const one = async (i: number) => {
      const author = authors[i % authors.length]!;
      switch (i % 5) {
        case 0: {
          // A read by id: the row asked for, not another request's.
          const res = await request(`/users/${author.id}`);
          const body = (await res.json()) as { id: string };
          check(`read ${i}: ${res.status} ${body.id}`, res.status === 200 && body.id === author.id);
          return;
        }
        case 1: {
          const res = await request(`/users?limit=3&q=${encodeURIComponent(author.email)}`);
          const body = (await res.json()) as { items: { id: string }[] };
          check(
            `list ${i}: ${res.status}`,
            res.status === 200 && body.items.length === 1 && body.items[0]!.id === author.id,
          );
          return;
        }
        case 2: {
          // A keyed write (its own transaction): the user it created has the email it sent.
          const email = uniqueEmail(`c${i}`);
          const res = await request("/users", {
            method: "POST",
            headers: { "Idempotency-Key": crypto.randomUUID() },
            json: { email },
          });
          const body = (await res.json()) as { email: string };
          check(`create ${i}: ${res.status} ${body.email}`, res.status === 201 && body.email === email);
          return;
        }
        case 3: {
          // An interactive transaction (insert the post, bump the counter).
          const title = `concurrent ${i}`;
          const res = await request("/posts", { method: "POST", json: { title, authorId: author.id } });
          const body = (await res.json()) as { title: string; authorId: string };
          check(`post ${i}: ${res.status}`, res.status === 201 && body.title === title && body.authorId === author.id);
          return;
        }
        default: {
          const name = `name ${i}`;
          const res = await request(`/users/${author.id}`, { method: "PATCH", json: { name } });
          const body = (await res.json()) as { id: string; name: string };
          check(`patch ${i}: ${res.status}`, res.status === 200 && body.id === author.id && body.name === name);
        }
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) await one(next++);
      }),
    );
    expect(wrong).toEqual([]);
    const logged = [...warnings.mock.calls, ...errors.mock.calls].map((c) => String(c[0])).join("\n");
    expect(logged).not.toMatch(/different request|Cannot perform I\/O/);
    // Every author's counter equals its posts: no transaction was lost or applied twice.
    for (const author of authors) {
      const res = await request(`/users/${author.id}`);
      const { postCount } = (await res.json()) as { postCount: number };
      const posts = await request(`/posts?authorId=${author.id}&limit=100`);
      const { items } = (await posts.json()) as { items: unknown[] };
      expect(postCount).toBe(items.length);
    }
  }, 120_000);
});
