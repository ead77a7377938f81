/**
 * Is this the database being unreachable (Neon suspended, network, pool exhausted) rather than a
 * bug or a bad request? Those become 503 + Retry-After: the client may simply try again.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // P1xxx: can't reach / timed out / connection closed; P2024: pool timeout; P2037: too many connections.
  if (typeof code === "string" && MISCONFIGURATION.has(code)) return false;
  if (typeof code === "string" && (/^P1\d{3}$/.test(code) || code === "P2024" || code === "P2037")) return true;
  if (error.name === "PrismaClientInitializationError") return true;
  // P2028 is also "transaction already closed" (a slow transaction: a bug); only a transaction
  // that could not get its connection in time is the database's unavailability.
  if (code === "P2028") return /unable to start a transaction/i.test(error.message);
  const text = `${error.name} ${error.message} ${causeMessage(error)}`;
  return CONNECTION_FAILURE.test(text);
}

/** Wrong credentials or database name: retrying will not help, so these stay 500s. */
const MISCONFIGURATION = new Set(["P1000", "P1003", "P1010"]);

// "error connecting to database" / TimeoutError: the HTTP driver's fetch failed or hit
// DB_CONNECT_TIMEOUT_MS (src/db/prisma.ts); "connection terminated": the Pool's connect timeout.
// Over Hyperdrive (pg on workerd's sockets) a refused or timed-out connect is a plain Error:
// "connection attempt failed", "cannot connect to the specified address" (nothing listens),
// "Connection terminated due to connection timeout".
const CONNECTION_FAILURE =
  /connect(ion)? (refused|terminated|closed|timeout|error|attempt failed)|cannot connect to the specified address|couldn't connect|can't reach|network connection lost|fetch failed|socket|websocket|ECONNREFUSED|ECONNRESET|ETIMEDOUT|server error \(HTTP status 5\d\d\)|too many connections|compute node|error connecting to database|TimeoutError/i;

function causeMessage(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) return `${cause.name} ${cause.message}`;
  if (cause && typeof cause === "object" && "message" in cause) return String((cause as { message: unknown }).message);
  return "";
}
