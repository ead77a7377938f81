import { describe, expect, it } from "vitest";
import { warmUpQueryCompiler } from "../../src/db/warm-up";
import { Prisma } from "../../src/generated/prisma/client";
import { createPost, createUser, getUser } from "./helpers";

// src/index.ts runs the warm-up at module scope (tools/bench/test/startup.test.ts checks that in plain
// workerd); here it runs again inside a request, where a failure throws instead of warning.
describe("query compiler warm-up", () => {
  it("plans its queries with this Prisma's glue and JSON protocol, for every model of this schema", async () => {
    const plans = (await warmUpQueryCompiler()).map((p) => JSON.stringify(p));
    // Two reads per model, whatever the models are (nothing in the warm-up names one).
    const models = Object.values(Prisma.ModelName);
    expect(plans).toHaveLength(2 * models.length);
    // Each a SELECT from its model's table, not an error or an empty plan.
    for (const plan of plans) expect(plan).toMatch(/SELECT .* FROM \\"public\\"\.\\"\w+\\"/);
  });

  it("plans on the same wasm instance as Prisma's clients, which keep working around it", async () => {
    // Prisma is loaded and in use before the warm-up, and used again after it: a warm-up that
    // instantiated a wasm of its own behind the same glue would break these ("Failed to decode input").
    const user = await createUser();
    const plans = await warmUpQueryCompiler();
    expect(plans.length).toBeGreaterThan(0);
    await createPost(user.id);
    expect(await getUser(user.id)).toMatchObject({ id: user.id, postCount: 1 });
  });
});
