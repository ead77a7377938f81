// Maps connection/driver errors to the user-facing Prisma error codes the native engine
// reports (the CLI branches on some of them, e.g. P1003 → create the database).
// Messages name host:port and database, never the user's password or the full URL.

import { redactUrl } from "../redact.js";
import type { ParsedDatabaseUrl } from "./pg-config.js";
import { describeServer } from "./pg-config.js";

export interface UserFacingError {
  code: string;
  message: string;
}

type PgLikeError = Error & { code?: string; errors?: unknown[] };

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TIMEOUT = new Set(["ETIMEDOUT"]);

export function toUserFacingError(error: unknown, db: ParsedDatabaseUrl): UserFacingError | undefined {
  const e = error as PgLikeError;
  const server = describeServer(db);
  // Node wraps happy-eyeballs failures (IPv4 + IPv6) in an AggregateError whose own code
  // may be missing; the first inner error carries it.
  const code = e?.code ?? (e?.errors?.[0] as PgLikeError | undefined)?.code;
  if (code && UNREACHABLE.has(code)) {
    return {
      code: "P1001",
      message: `Can't reach database server at \`${server}\`\n\nPlease make sure your database server is running at \`${server}\`.`,
    };
  }
  if (
    (code && TIMEOUT.has(code)) ||
    /timeout expired|Connection terminated due to connection timeout/i.test(e?.message ?? "")
  ) {
    return {
      code: "P1002",
      message: `The database server at \`${server}\` was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at \`${server}\`.`,
    };
  }
  switch (code) {
    case "28P01":
    case "28000":
      return {
        code: "P1000",
        message: `Authentication failed against database server at \`${server}\`, the provided database credentials for \`${db.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${server}\`.`,
      };
    case "3D000":
      return {
        code: "P1003",
        message: `Database \`${db.database}\` does not exist on the database server at \`${server}\`.`,
      };
    case "42P04":
      return {
        code: "P1009",
        message: `Database \`${db.database}\` already exists on the database server at \`${server}\``,
      };
    case "ECONNRESET":
      return { code: "P1017", message: "Server has closed the connection." };
  }
  if (/SSL|TLS|certificate/i.test(e?.message ?? "")) {
    return { code: "P1011", message: `Error opening a TLS connection: ${e.message}` };
  }
  return undefined;
}

/** Plain message of any thrown value, with every URL's credentials masked. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactUrl(text);
}
