import { createMiddleware } from "hono/factory";
import { rateLimited } from "../auth/problems";
import type { AppEnv } from "../env";
import { log } from "../log/logger";

/**
 * wrangler.toml's WRITE_LIMITER `simple.period` (a Node test keeps them equal). The binding says
 * only yes or no, never when a window ends, so a 429's Retry-After is one whole period: enough
 * for a fixed or a sliding window.
 */
export const WRITE_LIMIT_PERIOD_SECONDS = 60;

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let warnedUnbound = false;

/**
 * Writes per identity (c.var.caller) through the WRITE_LIMITER rate-limiting binding: over the
 * limit, 429 + Retry-After. After closedByDefault, wrapped in passThrough(). Exempt: the service
 * credential (the machinery's checks, benchmarks and scripts write with it, in bursts) and public
 * routes (no caller). No binding (Worker previews do not inherit it) = no limit, one warning per
 * isolate; a failing binding lets the write through, with a warning: a limiter must not take writes down.
 */
export const limitWrites = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!WRITES.has(c.req.method) || c.var.principal?.kind !== "user" || !c.var.caller) return next();
    const limiter: RateLimit | undefined = c.env.WRITE_LIMITER;
    if (!limiter) {
      if (!warnedUnbound) log(c, "warn", "WRITE_LIMITER is not bound: writes are not rate-limited");
      warnedUnbound = true;
      return next();
    }
    const allowed = await limiter.limit({ key: c.var.caller }).then(
      (outcome) => outcome.success,
      (error: unknown) => {
        log(c, "warn", "WRITE_LIMITER failed: letting the write through", { error });
        return true;
      },
    );
    if (!allowed) throw rateLimited(WRITE_LIMIT_PERIOD_SECONDS);
    await next();
  });
