// Log lines in the native engine's format (tracing JSON on stderr). The Prisma CLI parses
// these: for `cli …` subcommands it skips the first line and JSON-parses every other one,
// looking for level "ERROR" with fields.error_code / fields.message.
export type LogLevel = "ERROR" | "WARN" | "INFO" | "DEBUG";

const TARGET = "schema_engine::logger";

export function logLine(level: LogLevel, message: string, extra: Record<string, unknown> = {}): void {
  const line = {
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...extra },
    target: TARGET,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/**
 * stdout carries JSON-RPC and stderr carries JSON log lines, so nothing else may write
 * free text to either (pg's SSL-mode warning, a stray console.log in a dependency …).
 */
export function captureStrayOutput(): void {
  const toLog =
    (level: LogLevel) =>
    (...args: unknown[]) =>
      logLine(level, args.map((a) => (typeof a === "string" ? a : String(a))).join(" "));
  console.log = toLog("INFO");
  console.info = toLog("INFO");
  console.debug = toLog("DEBUG");
  console.warn = toLog("WARN");
  // console.error from a dependency is not a user-facing engine error: keep it WARN so the
  // CLI does not mistake it for the engine's error line.
  console.error = toLog("WARN");
  process.removeAllListeners("warning");
  process.on("warning", (w) => logLine("WARN", `${w.name}: ${w.message}`));
}
