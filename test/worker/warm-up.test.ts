import { describe, expect, it } from "vitest";
import { warmUpQueryCompiler } from "../../src/db/warm-up";
import { createPost, createUser, getUser } from "./helpers";

// src/index.ts runs the warm-up at module scope (tools/bench/test/startup.test.ts checks that in plain
// workerd); here it runs again inside a request, where a failure throws instead of warning.
describe("query compiler warm-up", () => {
  it("plans its query with this Prisma's glue and JSON protocol, against this schema", async () => {
    const plan = JSON.stringify(await warmUpQueryCompiler());
    // A read by key from the users table (the model's @@map), not an error or an empty plan.
    expect(plan).toContain(String.raw`FROM \"public\".\"users\" WHERE (\"public\".\"users\".\"id\" =`);
  });

  it("plans on the same wasm instance as Prisma's clients, which keep working around it", async () => {
    // Prisma is loaded and in use before the warm-up, and used again after it: a warm-up that
    // instantiated a wasm of its own behind the same glue would break these ("Failed to decode input").
    const user = await createUser();
    const plan = JSON.stringify(await warmUpQueryCompiler());
    expect(plan).toContain(String.raw`FROM \"public\".\"users\"`);
    await createPost(user.id);
    expect(await getUser(user.id)).toMatchObject({ id: user.id, postCount: 1 });
  });
});
