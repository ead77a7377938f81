import { describe, expect, it } from "vitest";
import { auth, call, createUser } from "./helpers";

// Runs in both worker projects: on real PostgreSQL and on the embedded PGlite fallback.
describe("smoke", () => {
  it.each(["ws", "http"])("GET /health over %s", async (transport) => {
    const res = await call(`/health?transport=${transport}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: "up", transport });
  });

  it("writes through a transaction and reads back over HTTP", async () => {
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
