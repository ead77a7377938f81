import { afterEach, describe, expect, it, vi } from "vitest";
import { redact } from "../../src/log/redact";
import { call, callWith, uniqueText } from "./fixture/client";
import { auth, problemOf, TOKEN } from "./helpers";
import { transportOf } from "./paths";

afterEach(() => vi.restoreAllMocks());

describe("bearer token", () => {
  // RFC 6750 §3.1: no credential (or another scheme) gets the bare challenge; a wrong one says so.
  const INVALID = /^Bearer realm="api", error="invalid_token", error_description="[^"\\]+"$/;
  it.each([
    ["no Authorization header", {}, /^Bearer realm="api"$/],
    ["another scheme", { Authorization: `Basic ${TOKEN}` }, /^Bearer realm="api"$/],
    ["a wrong token", { Authorization: "Bearer wrong-token" }, INVALID],
    ["a token that is a prefix of the right one", { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }, INVALID],
  ])("401 + WWW-Authenticate for %s", async (_name, headers, challenge) => {
    const json = { text: uniqueText(), topicId: crypto.randomUUID() };
    const res = await call("/notes", { method: "POST", headers, anonymous: true, json });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(challenge);
    expect((await problemOf(res)).title).toBe("Unauthorized");
  });

  it("fails closed when neither API_TOKEN nor JWKS_URL is bound", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await callWith({ API_TOKEN: undefined, JWKS_URL: undefined }, "/notes", {
      method: "POST",
      headers: auth,
    });
    expect(res.status).toBe(401);
    expect(errors.mock.calls.join("\n")).toContain("API_TOKEN is not set and JWT auth is off");
  });
});

describe("CORS from the CORS_ORIGINS allow-list", () => {
  it("allows a listed origin, with a preflight that permits Authorization and Idempotency-Key", async () => {
    const origin = "https://app.example.test";
    const res = await call("/notes", { headers: { Origin: origin } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");

    // A browser's preflight carries no credentials: CORS answers it before the token check.
    const preflight = await call("/notes", {
      anonymous: true,
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toMatch(/Idempotency-Key/);
  });

  it("gives an unlisted origin no CORS headers", async () => {
    const res = await call("/notes", { headers: { Origin: "https://evil.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("secure headers, request id and logs", () => {
  it("sets hono/secure-headers defaults", async () => {
    const res = await call("/nope");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(res.headers.get("Strict-Transport-Security")).toContain("max-age=");
  });

  it("echoes a request id (given or generated) and logs one JSON line per request with it", async () => {
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const given = await call("/notes", { headers: { "X-Request-Id": "req-abc-123" } });
    expect(given.headers.get("X-Request-Id")).toBe("req-abc-123");
    const generated = await call("/nope");
    expect(generated.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);

    const lines = logs.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "request",
        requestId: "req-abc-123",
        method: "GET",
        path: "/notes",
        status: 200,
        transport: transportOf("statement"),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ requestId: generated.headers.get("X-Request-Id"), status: 404 }),
    );
  });

  it("redacts connection strings, bearer tokens and bound secrets from log lines", () => {
    const line = redact(
      'connect postgresql://neondb_owner:s3cret@ep-x-pooler.neon.tech/neondb?sslmode=require "Authorization: Bearer abc.def" token=my-secret-token',
      ["my-secret-token"],
    );
    expect(line).not.toContain("s3cret");
    expect(line).not.toContain("neondb_owner");
    expect(line).not.toContain("abc.def");
    expect(line).not.toContain("my-secret-token");
    expect(line).toContain("postgresql://[redacted]");
  });
});
