import { ProblemError } from "./problem";

/** The shape of Prisma's known request errors (PrismaClientKnownRequestError), checked structurally. */
interface KnownPrismaError {
  name: string;
  code: string;
  meta?: Record<string, unknown>;
  message: string;
}

export function isKnownPrismaError(error: unknown): error is KnownPrismaError {
  return (
    error instanceof Error &&
    error.name === "PrismaClientKnownRequestError" &&
    typeof (error as { code?: unknown }).code === "string"
  );
}

/** The record the request names does not exist (Prisma's P2025, or a write that matched no row). */
export const recordNotFound = () =>
  new ProblemError(404, "The record does not exist.", { type: "urn:problem-type:not-found" });

/** A field of the request names a record that does not exist (a foreign key that points at nothing). */
export const referenceViolation = (field: string | undefined) =>
  new ProblemError(422, `The ${field ?? "referenced record"} does not exist.`, {
    type: "urn:problem-type:reference-violation",
    errors: field ? [{ in: "json", pointer: `/${field}`, detail: "no such record" }] : undefined,
  });

/**
 * Prisma's error codes that are about the request's data, mapped to the client's problem.
 * Undefined = not a client problem (the caller treats it as a server or connection error).
 */
export function problemFromPrismaError(error: KnownPrismaError): ProblemError | undefined {
  // A raw query ($queryRaw, $executeRaw) fails as P2010 "Raw query failed.
  // Code: `22021`. …", Postgres' SQLSTATE in the message: map that as if it were the error's own.
  const code = (error.code === "P2010" && /Raw query failed\. Code: `(\w+)`/.exec(error.message)?.[1]) || error.code;
  switch (code) {
    // Over HTTP (PrismaNeonHttp, Prisma 7.10) the driver's error is not translated: the code is
    // Postgres' SQLSTATE (23505, 23503) instead of P2002/P2003, and meta has no fields.
    case "P2002":
    case "23505": {
      const fields = uniqueFields(error);
      const named = fields.length ? fields.join(", ") : "a unique field";
      return new ProblemError(409, `A record with this ${named} already exists.`, {
        type: "urn:problem-type:unique-violation",
        errors: fields.map((field) => ({ in: "json", pointer: `/${field}`, detail: "must be unique" })),
      });
    }
    case "P2025":
      return recordNotFound();
    case "P2003":
    case "23503":
      // A foreign key points at nothing: the request named a record that does not exist.
      return referenceViolation(foreignKeyField(error));
    case "22P02":
    case "22007":
    case "22008":
    case "P2007":
      // invalid_text_representation (a malformed uuid), invalid_datetime_format, datetime field
      // overflow: input the schemas should have refused. Still the client's input, so a 400.
      // Over HTTP the SQLSTATE comes as is; the other adapters wrap it in P2007 (InvalidInputValue).
      return new ProblemError(400, "A value in the request is not valid for its field.", {
        type: "urn:problem-type:invalid-value",
      });
    case "22021":
    case "P2039":
      // Postgres text cannot hold U+0000 (JSON "\u0000", or %00 in a query): invalid byte
      // sequence 22021, which Prisma reports as such over HTTP and wraps in P2039 over WebSocket.
      if (error.code === "P2039" && !/Code: `22021`/.test(error.message)) return undefined;
      return new ProblemError(400, "The request contains a NUL character (U+0000), which text cannot hold.", {
        type: "urn:problem-type:invalid-character",
      });
    default:
      return undefined;
  }
}

/**
 * The columns of the violated unique constraint. With driver adapters Prisma 7 puts them in
 * meta.driverAdapterError.cause.constraint.fields (older engines used meta.target).
 */
function uniqueFields(error: KnownPrismaError): string[] {
  const target = error.meta?.target;
  if (Array.isArray(target)) return target.map(String);
  const cause = (
    error.meta?.driverAdapterError as { cause?: { constraint?: { fields?: unknown; index?: unknown } } } | undefined
  )?.cause;
  const fields = cause?.constraint?.fields;
  if (Array.isArray(fields)) return fields.map((f) => String(f).replaceAll('"', ""));
  // adapter-pg (Hyperdrive) names the index; HTTP only has the message, which names it too.
  const index = cause?.constraint?.index ?? /unique constraint "([^"]+)"/i.exec(error.message)?.[1];
  return typeof index === "string" ? fieldsOfIndex(index) : [];
}

/**
 * The request field behind a violated foreign key. The constraint is named
 * "<table>_<column>_fkey" (Prisma's convention); its column maps back to the camelCase field.
 */
function foreignKeyField(error: KnownPrismaError): string | undefined {
  const cause = (error.meta?.driverAdapterError as { cause?: { constraint?: { fields?: unknown; index?: unknown } } })
    ?.cause?.constraint;
  const fields = cause?.fields;
  const column =
    (Array.isArray(fields) && fields.length === 1 ? String(fields[0]).replaceAll('"', "") : undefined) ??
    /^[a-z0-9]+_([a-z0-9_]+)_fkey/i.exec(
      String(
        cause?.index ?? error.meta?.field_name ?? /foreign key constraint "([^"]+)"/i.exec(error.message)?.[1] ?? "",
      ),
    )?.[1];
  return column?.replaceAll(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * Prisma names unique indexes "<table>_<columns>_key"; a table name with "_" in it would confuse
 * this, so it is a hint only.
 */
function fieldsOfIndex(index: string): string[] {
  const columns = /^[a-z0-9]+_([a-z0-9_]+)_key$/i.exec(index)?.[1];
  return columns ? [columns] : [];
}

/**
 * A transaction asked of the HTTP adapter. Prisma 7.10 surfaces it as P2036 for batch
 * transactions and as the adapter's plain Error for interactive ones.
 */
export function isHttpTransactionMisuse(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const p2036 = isKnownPrismaError(error) && error.code === "P2036";
  return (p2036 || error.name === "Error") && /transactions are not supported in HTTP mode/i.test(error.message);
}

/**
 * An interactive transaction that ran past its timeout (DB_TRANSACTION_TIMEOUT_MS), usually
 * waiting for rows that concurrent requests hold: Prisma has rolled it back, so nothing was
 * written and the client may retry (with its Idempotency-Key, if it sent one). Prisma's P2028
 * "… cannot be executed on an expired transaction"; its "unable to start a transaction" is the
 * database being unreachable instead (connection.ts).
 */
export function isExpiredTransaction(error: unknown): boolean {
  return isKnownPrismaError(error) && error.code === "P2028" && /expired transaction/i.test(error.message);
}

/**
 * Postgres aborted the transaction to break a deadlock (40P01) or for a serialization failure
 * (40001): nothing of it was committed, and running it again may well succeed. Prisma reports these
 * as P2034, as the bare SQLSTATE over HTTP, or inside P2010 for a raw query.
 */
export function isTransientConflict(error: unknown): boolean {
  if (!isKnownPrismaError(error)) return false;
  if (error.code === "P2034" || error.code === "40P01" || error.code === "40001") return true;
  const original = (error.meta?.driverAdapterError as { cause?: { originalCode?: string } } | undefined)?.cause
    ?.originalCode;
  return original === "40P01" || original === "40001" || /Code: `40(P01|001)`/.test(error.message);
}

/** A transaction aborted by a concurrent one (isTransientConflict) after its retries: 409, to retry. */
export const transientConflict = () =>
  new ProblemError(
    409,
    "The request conflicted with a concurrent one and was rolled back; nothing was written. Retry it.",
    {
      type: "urn:problem-type:concurrent-conflict",
      headers: { "Retry-After": "1" },
    },
  );

/** A unique-constraint violation, on either transport (P2002 over WebSocket, 23505 over HTTP). */
export function isUniqueViolation(error: unknown): boolean {
  return isKnownPrismaError(error) && (error.code === "P2002" || error.code === "23505");
}
