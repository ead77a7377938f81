// Bad input to the demo's routes is a 4xx with a problem document, never a 500: cursors, search
// text, the largest valid post, values only Postgres rejects, each tried the way an outside probe
// found them. Body limits, settings and /health's query: settings.test.ts, on the fixture.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPrismaClient } from "../../../src/db/prisma";
import type { Bindings, Transport } from "../../../src/env";
import { isKnownPrismaError, problemFromPrismaError } from "../../../src/errors/prisma";
import { DEFAULT_MAX_BODY_BYTES } from "../../../src/settings";
import { call, problemOf } from "../helpers";
import { onHyperdrive } from "../paths";
import { createUser } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const cursorOf = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("cursors carry only what this API could have issued", () => {
  const uuid = "0b3c8f4e-1c9a-4a51-9e0b-7f8a1d2c3e4f";
  it.each([
    ["a non-UUID id", ["2026-01-01T00:00:00.000Z", "not-a-uuid"]],
    ["a negative year", ["-000001-01-01T00:00:00.000Z", uuid]],
    ["year 0", ["0000-06-01T00:00:00.000Z", uuid]],
    ["a date in another form", ["2026-01-01", uuid]],
    ["an extra member", ["2026-01-01T00:00:00.000Z", uuid, 1]],
    ["an object", { createdAt: "2026-01-01T00:00:00.000Z", id: uuid }],
  ])("400 for %s, on both lists", async (_name, value) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const list of ["/users", "/posts"]) {
      const res = await call(`${list}?cursor=${cursorOf(value)}`);
      expect(res.status, list).toBe(400);
      expect((await problemOf(res)).errors?.[0]?.pointer).toBe("/cursor");
    }
    expect(errors).not.toHaveBeenCalled();
  });

  it("a real cursor still pages", async () => {
    await Promise.all([createUser(), createUser()]);
    const first = (await (await call("/users?limit=1")).json()) as { nextCursor: string };
    expect((await call(`/users?limit=1&cursor=${first.nextCursor}`)).status).toBe(200);
  });
});

describe("search text matches literally (LIKE wildcards escaped)", () => {
  it("% and _ and \\ are characters, not patterns", async () => {
    const tag = `lit${crypto.randomUUID().slice(0, 8)}`;
    await createUser({ name: `${tag} 100%_a\\b` });
    await createUser({ name: `${tag} 100xxa-b` });
    const names = async (q: string) =>
      ((await (await call(`/users?q=${encodeURIComponent(q)}`)).json()) as { items: { name: string }[] }).items.map(
        (u) => u.name,
      );
    expect(await names(`${tag} 100%`)).toEqual([`${tag} 100%_a\\b`]);
    expect(await names(`${tag} 100xx`)).toEqual([`${tag} 100xxa-b`]);
    expect(await names(`${tag} 100__a`)).toEqual([]);
    expect(await names(`%_a\\b`)).toEqual([`${tag} 100%_a\\b`]);
    expect(await names("%")).not.toContain(`${tag} 100xxa-b`);
  });
});

describe("limits are consistent", () => {
  it("the largest valid post (every character escaped in JSON) fits the default body limit", async () => {
    const author = await createUser();
    // 200-character title, 50,000 characters of content, each as \u0001 (6 bytes) in JSON.
    const body = JSON.stringify({ title: "\u0001".repeat(200), content: "\u0001".repeat(50_000), authorId: author.id });
    expect(body.length).toBeLessThan(DEFAULT_MAX_BODY_BYTES);
    const res = await call("/posts", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect(res.status).toBe(201);
    // And 50,000 non-ASCII characters (3 bytes each in UTF-8).
    const cjk = await call("/posts", {
      method: "POST",
      json: { title: "t", content: "語".repeat(50_000), authorId: author.id },
    });
    expect(cjk.status).toBe(201);
  });
});

describe("invalid values Postgres rejects (22P02 and friends) are 400s, on every transport", () => {
  const transports: Transport[] = onHyperdrive ? ["hyperdrive"] : ["http", "ws"];
  it.each(transports)("%s: a malformed uuid that reaches the database", async (transport) => {
    const prisma = createPrismaClient(env as Bindings, transport);
    try {
      const error = await prisma.user.findUnique({ where: { id: "not-a-uuid" } }).catch((e: unknown) => e);
      expect(isKnownPrismaError(error), String(error)).toBe(true);
      const problem = isKnownPrismaError(error) ? problemFromPrismaError(error) : undefined;
      expect(problem?.problem.status, JSON.stringify(error)).toBe(400);
    } finally {
      await prisma.$disconnect();
    }
  });
});
