import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { log } from "../log/logger";
import { SettingsError } from "../settings";
import { DatabaseConfigError, isConnectionError, misconfiguration } from "./connection";
import {
  isExpiredTransaction,
  isHttpTransactionMisuse,
  isKnownPrismaError,
  isTransientConflict,
  problemFromPrismaError,
  transientConflict,
} from "./prisma";
import { ProblemError, problemResponse, statusTitle } from "./problem";

/** What a 503 tells clients to wait before retrying (a Neon compute wakes in about that). */
export const RETRY_AFTER_SECONDS = "5";

/**
 * The one place errors become responses: always application/problem+json, never a stack trace,
 * SQL or connection string (the details go to the logs, redacted).
 */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const problem = toProblemError(error, c);
  return problemResponse(c, problem.problem, problem.headers);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new ProblemError(404, `No route for ${c.req.method} ${c.req.path}.`).problem);

/** 405 with Allow, for hono/method-not-allowed. */
export const methodNotAllowedProblem = (c: Context<AppEnv>, methods: string[]) =>
  problemResponse(
    c,
    new ProblemError(405, `${c.req.method} is not allowed here. Allowed: ${methods.join(", ")}.`).problem,
    {
      Allow: methods.join(", "),
    },
  );

function toProblemError(error: unknown, c: Context<AppEnv>): ProblemError {
  if (error instanceof ProblemError) {
    if (error.problem.status >= 500) log(c, "error", "request failed", { status: error.problem.status, error });
    return error;
  }
  if (error instanceof HTTPException) {
    const problem = fromHttpException(error);
    if (problem.problem.status >= 500) log(c, "error", "request failed", { status: problem.problem.status, error });
    return problem;
  }
  if (error instanceof SettingsError) {
    log(c, "error", error.message);
    return new ProblemError(500, "The server is misconfigured.");
  }

  if (isTransientConflict(error)) {
    log(c, "warn", "aborted by a concurrent transaction (deadlock or serialization failure)", { error });
    return transientConflict();
  }
  if (isKnownPrismaError(error)) {
    const mapped = problemFromPrismaError(error);
    if (mapped) {
      log(c, "info", "database rejected the request", { status: mapped.problem.status, code: error.code });
      return mapped;
    }
  }
  if (isHttpTransactionMisuse(error)) {
    log(
      c,
      "error",
      "Prisma transaction over the HTTP transport: interactive and batch transactions need " +
        'WebSocket or Hyperdrive. Mount withPrisma("transaction") on this route.',
      { transport: c.var.transport, error },
    );
    return new ProblemError(500, "The server could not complete the request.");
  }
  const misconfigured = misconfiguration(error);
  if (misconfigured) {
    const binding = c.var.transport === "hyperdrive" ? "HYPERDRIVE" : "DATABASE_URL";
    const what = error instanceof DatabaseConfigError ? misconfigured : `${binding}: ${misconfigured}`;
    log(c, "error", `${what}. Fix the binding; retrying will not help.`, {
      transport: c.var.transport,
      error,
    });
    return new ProblemError(500, "The server is misconfigured.");
  }
  if (isExpiredTransaction(error)) {
    log(c, "warn", "transaction timed out and was rolled back", { transport: c.var.transport, error });
    return new ProblemError(503, "The database was too busy to finish the request; nothing was written. Try again.", {
      headers: { "Retry-After": "1" },
    });
  }
  if (isConnectionError(error)) {
    log(c, "warn", "database unavailable", { transport: c.var.transport, error });
    return new ProblemError(503, "The database is unavailable. Try again shortly.", {
      headers: { "Retry-After": RETRY_AFTER_SECONDS },
    });
  }
  log(c, "error", "unhandled error", { error });
  return new ProblemError(500, "The server could not complete the request.");
}

/**
 * Hono's own exceptions (malformed JSON, 415, body limit, its auth middleware) carry safe, fixed
 * messages, and sometimes headers that matter (WWW-Authenticate): those are kept.
 */
function fromHttpException(error: HTTPException): ProblemError {
  const status = error.status as ContentfulStatusCode;
  const detail = error.message || statusTitle(status);
  const headers: Record<string, string> = {};
  for (const [name, value] of error.res?.headers ?? []) {
    if (name !== "content-type" && name !== "content-length") headers[name] = value;
  }
  return new ProblemError(status, /json/i.test(detail) ? "The request body is not valid JSON." : detail, { headers });
}
