// Bounded retries until Postgres accepts a connection. A Neon compute that scaled to zero
// needs a few seconds to wake; the first connections then fail or time out (P1001).

import { parseDatabaseUrl } from "@starter/prisma-offline";
import pg from "pg";
import { DatabaseScriptError, redactUrl } from "./direct-url.js";

export interface WaitOptions {
  attempts: number;
  /** Delay before the 2nd attempt; doubles each time, capped at maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs?: number;
  log: (line: string) => void;
}

// The server answered, so waiting longer won't help (3D000 = database missing: fine, Migrate creates it).
const SERVER_IS_UP = new Set(["3D000"]);
const NOT_RETRYABLE: Record<string, string> = {
  "28P01": "authentication failed (check the user and password in DIRECT_URL)",
  "28000": "connection rejected by the server (pg_hba / role not allowed)",
};

function reasonOf(error: unknown): { code?: string; text: string } {
  const e = error as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = e?.code ?? e?.errors?.[0]?.code;
  const message = (e?.message || code || String(error)).split("\n")[0]!;
  return { code, text: code && !message.includes(code) ? `${code}: ${message}` : message };
}

async function tryConnect(url: string): Promise<void> {
  // Same URL handling as the schema engine stand-in (sslmode, connect_timeout), without
  // pg-connection-string's sslmode warning.
  const client = new pg.Client(parseDatabaseUrl(url).poolConfig);
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => {});
  }
}

export async function waitForDatabase(url: string, opts: WaitOptions): Promise<void> {
  const target = redactUrl(url);
  const maxBackoff = opts.maxBackoffMs ?? 8_000;
  for (let attempt = 1; ; attempt++) {
    const prefix = `attempt ${attempt}/${opts.attempts}: ${target}`;
    try {
      await tryConnect(url);
      opts.log(`${prefix}: connected`);
      return;
    } catch (error) {
      const { code, text } = reasonOf(error);
      if (code && SERVER_IS_UP.has(code)) {
        opts.log(`${prefix}: server is up (${text})`);
        return;
      }
      if (code && NOT_RETRYABLE[code]) {
        opts.log(`${prefix}: ${text}`);
        throw new DatabaseScriptError(`Cannot connect to ${target}: ${NOT_RETRYABLE[code]}.`);
      }
      if (attempt >= opts.attempts) {
        opts.log(`${prefix}: ${text}`);
        throw new DatabaseScriptError(
          `Database not reachable at ${target} after ${opts.attempts} attempts (last error: ${text}).`,
        );
      }
      const delay = Math.min(opts.backoffMs * 2 ** (attempt - 1), maxBackoff);
      opts.log(`${prefix}: ${text}; retrying in ${(delay / 1000).toFixed(1)}s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
