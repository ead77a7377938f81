import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useLocalNeonProxy } from "../../src/db/local-neon";
import type { Bindings } from "../../src/env";
import { callWith } from "./fixture/client";
import { problemOf } from "./helpers";
import { onHyperdrive } from "./paths";

afterEach(() => vi.restoreAllMocks());

// NEON_LOCAL_PROXY downgrades the driver to plain ws:// and http://: loopback hosts only.
describe("NEON_LOCAL_PROXY", () => {
  it("is honoured for loopback hosts only", () => {
    for (const ok of ["127.0.0.1:4444", "localhost:4444", "[::1]:4444", (env as Bindings).NEON_LOCAL_PROXY!]) {
      expect(() => useLocalNeonProxy(ok)).not.toThrow();
    }
    for (const foreign of ["10.0.0.5:4444", "db.example.com:4444", "127.0.0.1.example.com:80", "[2001:db8::1]:4444"]) {
      expect(() => useLocalNeonProxy(foreign)).toThrow(/NEON_LOCAL_PROXY must be a loopback host:port/);
    }
  });

  it.skipIf(onHyperdrive)("pointing elsewhere is a 500 problem with a log line naming it, not an outage", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await callWith({ NEON_LOCAL_PROXY: "db.example.com:4444" }, "/notes");
    expect(res.status).toBe(500);
    await problemOf(res);
    expect(logs.mock.calls.map((c) => String(c[0])).join("\n")).toContain("NEON_LOCAL_PROXY must be a loopback");
  });
});
