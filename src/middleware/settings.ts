import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { settingsOf } from "../settings";

/**
 * Parses the settings before anything else runs, so a bad value (MAX_BODY_BYTES="-1",
 * PUBLIC_DOCS="yes") fails every request with a 500 whose log line names the variable, rather
 * than one route quietly misbehaving. Parsed once per isolate's bindings.
 */
export const checkSettings = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    settingsOf(c.env);
    await next();
  });
