import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callWith } from "./helpers";
import { stack } from "./stack";

const get = (path: string) => exports.default.fetch(new Request(`http://worker${path}`));

describe.each(["ws", "http"] as const)("GET /health over %s", (transport) => {
  it("answers 200 with the transport when the database answers", async () => {
    const res = await get(`/health?transport=${transport}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "up", transport });
  });

  it("serves a 2nd, a 3rd and 20 concurrent requests (no I/O objects shared across requests)", async () => {
    for (const _ of [2, 3]) {
      const res = await get(`/health?transport=${transport}`);
      expect(res.status).toBe(200);
    }
    const many = await Promise.all(Array.from({ length: 20 }, () => get(`/health?transport=${transport}`)));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
    await Promise.all(many.map((r) => r.body?.cancel()));
  });

  it("answers 503 while Neon refuses connections (compute unreachable)", async () => {
    const res = await callWith({ NEON_LOCAL_PROXY: stack().downNeonProxy }, `/health?transport=${transport}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ database: "down", transport });
  });

  it("answers 503 when nothing listens where Neon should be", async () => {
    const res = await callWith({ NEON_LOCAL_PROXY: "127.0.0.1:9" }, `/health?transport=${transport}`);
    expect(res.status).toBe(503);
  });
});
