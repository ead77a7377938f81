import { describe, expect, it } from "vitest";
import { warmUpQueryCompiler } from "../../src/db/warm-up";
import { createPost, createUser, getUser } from "./helpers";

// src/index.ts runs the warm-up at module scope (test/bundle/startup.test.ts checks that in plain
// workerd); here it runs again inside a request, where a failure throws instead of warning.
describe("query compiler warm-up", () => {
  it("plans its request against this Prisma's glue and JSON protocol", async () => {
    await expect(warmUpQueryCompiler()).resolves.toBe(1);
  });

  it("leaves the isolate's Prisma working: a write and a read over HTTP, a transaction over WebSocket", async () => {
    await warmUpQueryCompiler();
    const user = await createUser();
    await createPost(user.id);
    expect(await getUser(user.id)).toMatchObject({ id: user.id, postCount: 1 });
  });
});
