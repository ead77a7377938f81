import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callWith } from "./helpers";
import { closedPort, refusingDatabase, transportOf } from "./paths";

const get = (path: string) => exports.default.fetch(new Request(`http://worker${path}`));

describe.each(["transaction", "statement"] as const)("GET /health?need=%s", (need) => {
  const transport = transportOf(need);

  it("answers 200 with the transport it used when the database answers", async () => {
    const res = await get(`/health?need=${need}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "up", transport });
  });

  it("serves a 2nd, a 3rd and 20 concurrent requests (no I/O objects shared across requests)", async () => {
    for (const _ of [2, 3]) {
      const res = await get(`/health?need=${need}`);
      expect(res.status).toBe(200);
    }
    const many = await Promise.all(Array.from({ length: 20 }, () => get(`/health?need=${need}`)));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
    await Promise.all(many.map((r) => r.body?.cancel()));
  });

  it("answers 503 while the database refuses connections (compute unreachable)", async () => {
    const res = await callWith(refusingDatabase(), `/health?need=${need}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ database: "down", transport });
  });

  it("answers 503 when nothing listens where the database should be", async () => {
    const res = await callWith(closedPort(), `/health?need=${need}`);
    expect(res.status).toBe(503);
  });
});
