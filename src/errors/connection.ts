/**
 * Is this the database being unreachable (Neon suspended, network, pool exhausted) rather than a
 * bug or a bad request? Those become 503 + Retry-After: the client may simply try again.
 * Deliberately narrow: an error this does not recognise stays a 500 and is logged as unhandled.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || misconfiguration(error)) return false;
  const code = prismaCode(error);
  // P1001 can't reach, P1002 timed out, P1008 operation timed out, P1011 TLS, P1017 server closed
  // the connection; P2024 pool timeout; P2037 too many connections.
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  // P2028 is also a transaction that ran past its timeout (isExpiredTransaction, errors/prisma.ts);
  // only one that could not get its connection in time is the database's unavailability.
  if (code === "P2028") return /unable to start a transaction/i.test(error.message);
  // SQLSTATE class 08, connection exception (08001 unable to connect, 08006 connection failure),
  // as the driver reports it: bare over HTTP, wrapped in P2039 ("Code: `08001`") otherwise, and
  // in P2010 for a raw query.
  if (/^08/.test(code ?? "") || ((code === "P2039" || code === "P2010") && /Code: `08\w{3}`/.test(error.message)))
    return true;
  // SQLSTATE 57P01-57P03: the server ended the session (an operator's pg_terminate_backend, a
  // restart, a failover): the statement did not complete, and a new connection may well succeed.
  // A DriverAdapterError (thrown outside a Prisma call: a transaction's BEGIN or COMMIT) carries it
  // in its cause.
  const original = (error.cause as { originalCode?: unknown } | undefined)?.originalCode;
  if ([code, original].some((c) => /^57P0[123]$/.test(String(c))) || /Code: `57P0[123]`/.test(error.message))
    return true;
  return CONNECTION_FAILURE.test(`${error.message} ${causeMessage(error)}`);
}

const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1011", "P1017", "P2024", "P2037"]);

// What each driver says when the database cannot be reached, as observed in workerd:
// - Neon HTTP: "Error connecting to database: …" (fetch failed), "… server error (HTTP status 5xx)",
//   "TimeoutError" (DB_CONNECT_TIMEOUT_MS), Neon's "Couldn't connect to compute node";
// - Neon WebSocket (pg over a fetch-upgraded socket): "Connection terminated …", "All attempts to
//   open a WebSocket … failed", "Network connection lost";
// - Hyperdrive (pg on workerd's sockets): "connection attempt failed", "cannot connect to the
//   specified address", "DNS lookup failed", "Connection terminated due to connection timeout",
//   "The server does not support SSL connections" (TLS refused), and "Client has encountered a
//   connection error and is not queryable" (the next query on a connection the server ended).
const CONNECTION_FAILURE =
  /error connecting to database|not queryable|server error \(HTTP status 5\d\d\)|TimeoutError|couldn't connect to compute node|connection terminated|all attempts to open a websocket|network connection lost|connection attempt failed|cannot connect to the specified address|dns lookup failed|does not support SSL|ECONNREFUSED|ECONNRESET|ETIMEDOUT|too many connections/i;

/**
 * A database binding that can never work as configured: wrong credentials, a database or role
 * that does not exist, a connection string that is not one. Retrying will not help, so these are
 * 500s; the message names the binding to fix. Undefined when the error is not one of those.
 */
export function misconfiguration(error: unknown): string | undefined {
  if (error instanceof DatabaseConfigError) return error.message;
  if (!(error instanceof Error)) return undefined;
  const code = prismaCode(error) ?? "";
  const text = `${error.message} ${causeMessage(error)}`;
  if (code === "P1000" || code === "28P01" || /password authentication failed/i.test(text))
    return "the database rejected the credentials (password authentication failed)";
  if (code === "P1003" || code === "3D000" || /database "[^"]*" does not exist/i.test(text))
    return "the database named in the connection string does not exist";
  if (code === "P1010" || code === "28000" || /role "[^"]*" does not exist/i.test(text))
    return "the database refused this user (role missing or access denied)";
  return undefined;
}

/** Thrown where the app can tell up front that a database binding cannot work. */
export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

function prismaCode(error: Error): string | undefined {
  const code = (error as { code?: unknown; errorCode?: unknown }).code ?? (error as { errorCode?: unknown }).errorCode;
  return typeof code === "string" ? code : undefined;
}

function causeMessage(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) return `${cause.name} ${cause.message}`;
  if (cause && typeof cause === "object" && "message" in cause) return String((cause as { message: unknown }).message);
  return "";
}
