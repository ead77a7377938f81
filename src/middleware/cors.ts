import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { settingsOf } from "../settings";

/** CORS for the origins listed in CORS_ORIGINS (comma-separated). No list, no cross-origin access. */
export const corsFromAllowList = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const allowed = settingsOf(c.env).corsOrigins;
    return cors({
      origin: (origin) => (allowed.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
      exposeHeaders: ["X-Request-Id", "Idempotency-Replayed", "Retry-After", "Location"],
      maxAge: 600,
    })(c, next);
  });
