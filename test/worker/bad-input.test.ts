// Bad input is a 4xx with a problem document, never a 500: cursors, search text, body sizes,
// settings and /health's query, each tried the way an outside probe found them.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPrismaClient } from "../../src/db/prisma";
import type { Bindings, Transport } from "../../src/env";
import { isKnownPrismaError, problemFromPrismaError } from "../../src/errors/prisma";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/settings";
import { call, callWith, createUser, problemOf, uniqueEmail } from "./helpers";
import { onHyperdrive } from "./paths";

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

  it("413 above the limit, before the body is parsed", async () => {
    const big = await call("/users", {
      method: "POST",
      json: { email: uniqueEmail(), name: "x".repeat(DEFAULT_MAX_BODY_BYTES) },
    });
    expect(big.status).toBe(413);
    await problemOf(big);
    const small = await callWith({ MAX_BODY_BYTES: "1024" }, "/users", {
      method: "POST",
      json: { email: uniqueEmail(), name: "x".repeat(1100) },
    });
    expect(small.status).toBe(413);
    expect((await problemOf(small)).detail).toContain("1024 bytes");
  });
});

describe("settings are parsed strictly", () => {
  it.each([
    ["MAX_BODY_BYTES", "-1"],
    ["MAX_BODY_BYTES", "64k"],
    ["MAX_BODY_BYTES", "1e5"],
    ["DB_CONNECT_TIMEOUT_MS", "0"],
    ["PUBLIC_DOCS", "TRUE"],
    ["PUBLIC_DOCS", "1"],
    ["CORS_ORIGINS", "https://app.example.test/path"],
    ["DATABASE_SCHEMA", "public; drop"],
    ["NEON_STATEMENT_TRANSPORT", "websocket"],
  ])("%s=%s: every request is a 500 problem, and the log names the variable", async (name, value) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/health", "/users"]) {
      const res = await callWith({ [name]: value }, path);
      expect(res.status, path).toBe(500);
      expect((await problemOf(res)).detail).not.toContain(value);
    }
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toContain(`Invalid setting ${name}=`);
  });

  it("unset or empty means the default; exact values are understood", async () => {
    for (const overrides of [{ MAX_BODY_BYTES: "" }, { MAX_BODY_BYTES: "2048", PUBLIC_DOCS: "true" }]) {
      expect((await callWith(overrides, "/users")).status).toBe(200);
    }
  });
});

describe("/health validates its query and is in the OpenAPI document", () => {
  it.each(["/health?transport=bogus", "/health?need=bogus", "/health?need=statement&x=1"])(
    "400 for %s",
    async (path) => {
      const res = await call(path, { anonymous: true });
      expect(res.status).toBe(400);
      await problemOf(res);
    },
  );

  it("is documented, public, with its need parameter", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, { get?: { security?: unknown[]; parameters?: { name: string }[] } }>;
    };
    const health = doc.paths["/health"]?.get;
    expect(health?.security).toEqual([]);
    expect(health?.parameters?.map((p) => p.name)).toEqual(["need"]);
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
