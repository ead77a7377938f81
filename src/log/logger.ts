import type { Context } from "hono";
import type { AppEnv } from "../env";
import { redact } from "./redact";

type Level = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

/**
 * One JSON object per line (Workers Logs indexes the fields). Every line carries the request id,
 * and everything is redacted: connection strings, bearer tokens and the bound secrets.
 */
export function log<E extends AppEnv>(c: Context<E>, level: Level, msg: string, fields: LogFields = {}): void {
  logLine(c.env, level, msg, { requestId: c.get("requestId"), ...fields });
}

/** The same line outside a request (a Cron Trigger): redacted with the bindings' secrets. */
export function logLine(env: AppEnv["Bindings"], level: Level, msg: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, msg, ...fields }, errorReplacer);
  const secrets = [env.API_TOKEN, env.DATABASE_URL];
  const out = redact(line, secrets);
  if (level === "error") console.error(out);
  else if (level === "warn") console.warn(out);
  else console.log(out);
}

/** Errors are not JSON-serialisable by default; keep name, message, code and cause (no stack). */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: value.message,
      ...(code ? { code } : {}),
      ...(value.cause ? { cause: value.cause } : {}),
    };
  }
  return value;
}
