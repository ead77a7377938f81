// Writes per identity through the WRITE_LIMITER binding (wrangler.toml), which the test Worker has:
// miniflare simulates it with fixed windows on the wall clock. Its counters may outlive a run, so
// every test writes as a user of its own. On a frame of src/api.ts with its own routes (no database).
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApi } from "../../src/api";
import type { Bindings } from "../../src/env";
import { WRITE_LIMIT_PERIOD_SECONDS } from "../../src/middleware/rate-limit";
import { callApp, problemOf, type TestRequestInit } from "./helpers";
import { bearer, userToken } from "./tokens";

afterEach(() => vi.restoreAllMocks());

/** wrangler.toml's WRITE_LIMITER `simple.limit`. */
const LIMIT = 60;

const things = createApi()
  .get("/things", (c) => c.json({ items: [] }))
  .post("/things", (c) => c.json({ written: true }, 201))
  .delete("/things/:id", (c) => c.body(null, 204));

const send = (init: TestRequestInit, overrides: Partial<Bindings> = {}, path = "/things") =>
  callApp(things, overrides, path, { method: "POST", ...init });

/** A user no other test writes as. */
const freshUser = async () => ({ headers: bearer(await userToken(`rate-${crypto.randomUUID()}`)) });

/** Waits for the next window when this one has under 10 s left: a burst must not straddle two. */
async function atWindowStart() {
  const intoWindow = (Date.now() / 1000) % WRITE_LIMIT_PERIOD_SECONDS;
  if (intoWindow > WRITE_LIMIT_PERIOD_SECONDS - 10) {
    await new Promise((resolve) => setTimeout(resolve, (WRITE_LIMIT_PERIOD_SECONDS - intoWindow) * 1000 + 100));
  }
}

async function writes(n: number, init: TestRequestInit, overrides: Partial<Bindings> = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const [method, path] = i % 2 ? ["POST", "/things"] : ["DELETE", `/things/${i}`];
    const res = await send({ ...init, method }, overrides, path);
    statuses.push(res.status);
    if (res.status === 429) {
      expect(res.headers.get("Retry-After")).toBe(String(WRITE_LIMIT_PERIOD_SECONDS));
      expect((await problemOf(res)).type).toBe("urn:problem-type:rate-limited");
    } else await res.body?.cancel();
  }
  return statuses;
}
const limited = (statuses: number[]) => statuses.filter((s) => s === 429).length;

describe("writes are rate-limited per identity", () => {
  it(`${LIMIT} writes, then 429 + Retry-After; another user and reads are unaffected`, async () => {
    await atWindowStart();
    const user = await freshUser();
    const statuses = await writes(LIMIT + 2, user);
    expect(statuses.slice(0, LIMIT).every((s) => s === 201 || s === 204)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);

    expect((await send({ ...user, method: "GET" })).status).toBe(200);
    expect((await send(await freshUser())).status).toBe(201);
  });

  it("the service credential is exempt (the machinery's checks write with it)", async () => {
    expect(limited(await writes(LIMIT + 5, {}))).toBe(0);
  });

  it("no binding (a Worker preview): no limit, and one warning per isolate at most", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const user = await freshUser();
    expect(limited(await writes(LIMIT + 5, user, { WRITE_LIMITER: undefined }))).toBe(0);
    const lines = warnings.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("WRITE_LIMITER is not bound"));
    expect(lines.length).toBeLessThanOrEqual(1);
  });

  it("a failing binding lets the write through, with a warning, never a 500", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const failing = { limit: () => Promise.reject(new Error("limiter unavailable")) } as unknown as RateLimit;
    const res = await send(await freshUser(), { WRITE_LIMITER: failing });
    expect(res.status).toBe(201);
    expect(warnings.mock.calls.join("\n")).toContain("WRITE_LIMITER failed");
  });
});
