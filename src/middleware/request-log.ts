import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { log } from "../log/logger";

/** One structured line per request: id, method, path (no query: it may carry filters with PII), status, time. */
export const requestLog = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now();
    await next();
    log(c, c.res.status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Date.now() - started,
      ...(c.var.transport ? { transport: c.var.transport } : {}),
    });
  });
