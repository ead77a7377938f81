import { describe, expect, it } from "vitest";
import { warmUpQueryCompiler } from "../../src/db/warm-up";
import { createPost, createUser, getUser } from "./helpers";

// src/index.ts runs the warm-up at module scope (test/bundle/startup.test.ts checks that in plain
// workerd); here it runs again inside a request, where a failure throws instead of warning.
describe("query compiler warm-up", () => {
  it("plans its query with this Prisma's glue and JSON protocol, against this schema", async () => {
    const plan = JSON.stringify(await warmUpQueryCompiler());
    // A read by key from the users table (the model's @@map), not an error or an empty plan.
    expect(plan).toContain(String.raw`FROM \"public\".\"users\" WHERE (\"public\".\"users\".\"id\" =`);
  });

  it("leaves the isolate's Prisma working: a write and a read over HTTP, a transaction over WebSocket", async () => {
    await warmUpQueryCompiler();
    const user = await createUser();
    await createPost(user.id);
    expect(await getUser(user.id)).toMatchObject({ id: user.id, postCount: 1 });
  });
});
