// Bad input to the machinery is a 4xx (or, for a bad setting, a 500 that names it), never a
// crash: body limits, settings and /health's query. On the fixture's routes (test/worker/fixture).
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/settings";
import { call, callWith } from "./fixture/client";
import { problemOf } from "./helpers";

afterEach(() => vi.restoreAllMocks());

describe("the body limit", () => {
  it("413 above the limit, before the body is parsed", async () => {
    const big = await call("/notes", {
      method: "POST",
      json: { text: "x".repeat(DEFAULT_MAX_BODY_BYTES), topicId: crypto.randomUUID() },
    });
    expect(big.status).toBe(413);
    await problemOf(big);
    const small = await callWith({ MAX_BODY_BYTES: "1024" }, "/notes", {
      method: "POST",
      json: { text: "x".repeat(1100), topicId: crypto.randomUUID() },
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
    ["DB_TRANSACTION_TIMEOUT_MS", "5s"],
    ["PUBLIC_DOCS", "TRUE"],
    ["PUBLIC_DOCS", "1"],
    ["CORS_ORIGINS", "https://app.example.test/path"],
    ["DATABASE_SCHEMA", "public; drop"],
    ["NEON_STATEMENT_TRANSPORT", "websocket"],
    ["LOCAL_ALLOWED_HOSTS", "https://my-box.lan/"],
    ["JWKS_URL", "not a url"],
    ["JWKS_URL", "http://issuer.example.test/.well-known/jwks.json"],
    ["JWKS_URL", "https://user:secret@issuer.example.test/jwks.json"],
    ["JWT_ISSUER", " https://issuer.example.test/"],
    ["JWT_AUDIENCE", "api-a,,api-b"],
    ["JWT_ROLE_CLAIM", "app role"],
    ["JWT_CLOCK_SKEW_SECONDS", "301"],
    ["JWT_CLOCK_SKEW_SECONDS", "30s"],
    ["JWKS_REFETCH_COOLDOWN_SECONDS", "0"],
    ["JWKS_REFETCH_COOLDOWN_SECONDS", "1.5"],
  ])("%s=%s: every request is a 500 problem, and the log names the variable", async (name, value) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/health", "/notes"]) {
      const res = await callWith({ [name]: value }, path);
      expect(res.status, path).toBe(500);
      expect((await problemOf(res)).detail).not.toContain(value);
    }
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toContain(`Invalid setting ${name}=`);
  });

  it.each(["JWT_ISSUER", "JWT_AUDIENCE"])("JWKS_URL without %s: a 500 whose log names it", async (name) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const jwt = { JWKS_URL: "https://issuer.example.test/jwks.json", JWT_ISSUER: "https://issuer.example.test/" };
    const res = await callWith({ ...jwt, JWT_AUDIENCE: "api", [name]: "" }, "/notes");
    expect(res.status).toBe(500);
    await problemOf(res);
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toContain(`Invalid setting ${name}=`);
  });

  it("unset or empty means the default; exact values are understood", async () => {
    const jwt = {
      JWKS_URL: "http://[::1]:1/jwks.json",
      JWT_ISSUER: "https://issuer.example.test/",
      JWT_AUDIENCE: "api-a, api-b",
      JWT_ROLE_CLAIM: "https://api.example.test/roles",
      JWT_CLOCK_SKEW_SECONDS: "0",
      JWKS_REFETCH_COOLDOWN_SECONDS: "3600",
    };
    for (const overrides of [{ MAX_BODY_BYTES: "" }, { MAX_BODY_BYTES: "2048", PUBLIC_DOCS: "true" }, jwt]) {
      expect((await callWith(overrides, "/notes")).status).toBe(200);
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
