// README "Add a model and a route", followed as written: a POST route lists `idempotent()`, which
// leases the request's database itself. Sent with an Idempotency-Key it writes once and replays;
// wired the way the README used to say (withPrisma("statement") before it), the keyed POST used to
// answer 500 ("idempotent() needs a transaction") and now works too. On the fixture's topics table.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApi } from "../../src/api";
import { validationHook } from "../../src/errors/validation";
import { idempotent } from "../../src/middleware/idempotency";
import { withPrisma } from "../../src/middleware/prisma";
import { IdempotencyHeaderSchema, json, problems } from "../../src/schemas/common";
import { callApp } from "./helpers";

const Thing = z.object({ id: z.uuid() });

function thingsApp(middleware: "readme" | "withPrisma first") {
  const route = createRoute({
    method: "post",
    path: "/",
    middleware: (middleware === "readme" ? [idempotent()] : [withPrisma("statement"), idempotent()]) as unknown as [
      ReturnType<typeof idempotent>,
    ],
    request: { headers: IdempotencyHeaderSchema },
    responses: { 201: { description: "Created", ...json(Thing) }, 401: problems[401] },
  });
  const things = new OpenAPIHono({ defaultHook: validationHook }).openapi(route, async (c) => {
    const [row] = await c.var.prisma.$queryRaw<
      { id: string }[]
    >`INSERT INTO fixture_topics DEFAULT VALUES RETURNING id`;
    return c.json({ id: row!.id }, 201, { Location: `/things/${row!.id}` });
  });
  return createApi().route("/things", things);
}

describe.each(["readme", "withPrisma first"] as const)("a POST route wired %s", (wiring) => {
  const app = thingsApp(wiring);
  const post = (headers: Record<string, string> = {}) => callApp(app, {}, "/things", { method: "POST", headers });

  it("writes without a key, and with one writes once and replays", async () => {
    expect((await post()).status).toBe(201);
    const key = crypto.randomUUID();
    const first = await post({ "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const retry = await post({ "Idempotency-Key": key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
  });
});
