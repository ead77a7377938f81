import { describe, expect, it } from "vitest";
import { auth, call, createUser } from "./helpers";
import { transportOf } from "./paths";

// Runs in every worker project: on real PostgreSQL, on the embedded PGlite fallback, on Hyperdrive.
describe("smoke", () => {
  it.each(["transaction", "statement"] as const)("GET /health?need=%s", async (need) => {
    const res = await call(`/health?need=${need}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: "up", transport: transportOf(need) });
  });

  it("writes through a transaction and reads back with a single statement", async () => {
    const user = await createUser({ name: "Smoke" });
    const post = await call("/posts", {
      method: "POST",
      headers: auth,
      json: { title: "Smoke post", authorId: user.id },
    });
    expect(post.status).toBe(201);
    const author = await call(`/users/${user.id}`);
    expect(author.status).toBe(200);
    expect(await author.json()).toMatchObject({ id: user.id, postCount: 1 });
  });
});
