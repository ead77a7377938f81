// The write limiter's window lives in wrangler.toml ([[ratelimits]] WRITE_LIMITER) and its 429's
// Retry-After in src/middleware/rate-limit.ts: the binding cannot say when a window ends, so the
// two must agree. Read as text: src/ is Worker code, typed for workerd, not imported from Node.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "./helpers.js";

describe("the WRITE_LIMITER binding", () => {
  const config = unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") });
  const limiter = config.ratelimits.find((binding: { name: string }) => binding.name === "WRITE_LIMITER");

  it("has the period the middleware sends as Retry-After", () => {
    const source = readFileSync(path.join(ROOT, "src/middleware/rate-limit.ts"), "utf8");
    const period = /export const WRITE_LIMIT_PERIOD_SECONDS = (\d+);/.exec(source)?.[1];
    expect(period).toBeDefined();
    expect(limiter?.simple.period).toBe(Number(period));
  });

  it("limits each identity to 60 writes a minute (test/worker/rate-limit.test.ts counts on it)", () => {
    expect(limiter?.simple).toEqual({ limit: 60, period: 60 });
  });
});
