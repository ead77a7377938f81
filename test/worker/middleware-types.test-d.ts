// Type-level test: a route's context has what its middleware set, and nothing else. A handler on
// a route without withPrisma does not compile when it reaches for c.var.prisma.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { expectTypeOf, test } from "vitest";
import type { Database } from "../../src/db/prisma";
import type { AppEnv } from "../../src/env";
import { idempotent } from "../../src/middleware/idempotency";
import { withPrisma } from "../../src/middleware/prisma";

const ok = { 200: { description: "ok" } } as const;

test("c.var.prisma exists behind withPrisma, on plain and OpenAPI routes", () => {
  new Hono<AppEnv>().get("/", withPrisma("statement"), (c) => {
    expectTypeOf(c.var.prisma).toEqualTypeOf<Database>();
    return c.body(null, 204);
  });
  const route = createRoute({
    method: "get",
    path: "/",
    middleware: [idempotent("transaction")] as const,
    responses: ok,
  });
  new OpenAPIHono<AppEnv>().openapi(route, (c) => {
    expectTypeOf(c.var.prisma).toEqualTypeOf<Database>();
    return c.body(null, 200);
  });
});

test("and nowhere else", () => {
  // @ts-expect-error no withPrisma on this route, so no c.var.prisma
  new Hono<AppEnv>().get("/", (c) => c.json(c.var.prisma.user));
  const route = createRoute({ method: "get", path: "/", responses: ok });
  // @ts-expect-error the same on an OpenAPI route without the middleware
  new OpenAPIHono<AppEnv>().openapi(route, (c) => c.json(c.var.prisma.user, 200));
});
