// npm run neon:local -- [--host 127.0.0.1] [--port 4444] [--upstream postgres://…]
//                       [--db auto|postgres|pglite] [--db-port N] [--data-dir .local/postgres] [--allow host:port]…
//                       [--allow-origin http://localhost:5173]… [--allow-host my-box.lan]… (web pages and
//                       Host names the request guard lets in; none by default)
// Without --upstream a local database is started (kept under .local/ between runs) and migrated;
// an --upstream database is put behind the proxy as it is.
import { parseArgs } from "node:util";
import { redactUrl } from "@starter/prisma-offline";
import { neonConfigLines } from "./proxy/client-config.js";
import { LOCAL_ENDPOINT_NAMES } from "./proxy/local-neon.js";
import { onShutdown, shutdown } from "./shutdown.js";
import { DEV_DATA_ROOT, DEV_DATABASE_PORT, startLocalStack } from "./stack.js";

const USAGE =
  "usage: neon:local [--host 127.0.0.1] [--port 4444] [--upstream postgres://user:pw@127.0.0.1:5432/db] " +
  "[--db auto|postgres|pglite] [--db-port N] [--data-dir DIR] [--allow host:port] [--allow-origin URL] [--allow-host NAME]";

function usageError(message: string): never {
  process.stderr.write(`error: ${message} (see --help)\n`);
  process.exit(2);
}

/** The flags; a bad one is one line and exit 2. */
function readArgs() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "4444" },
        upstream: { type: "string" },
        db: { type: "string", default: "auto" },
        "db-port": { type: "string", default: "0" },
        "data-dir": { type: "string" },
        allow: { type: "string", multiple: true, default: [] },
        "allow-origin": { type: "string", multiple: true, default: [] },
        "allow-host": { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    usageError((error as Error).message);
  }
}

function parseCli() {
  const parsed = readArgs();
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`--port must be 0..65535, got "${values.port}"`);
  const dbPort = Number(values["db-port"]);
  if (!Number.isInteger(dbPort) || dbPort < 0 || dbPort > 65535)
    usageError(`--db-port must be 0..65535, got "${values["db-port"]}"`);
  if (values.db !== "auto" && values.db !== "postgres" && values.db !== "pglite")
    usageError(`--db must be auto, postgres or pglite`);
  if (values.upstream) {
    try {
      const url = new URL(values.upstream);
      if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error();
    } catch {
      usageError("--upstream must be a postgres://user:password@host:port/db URL");
    }
  }
  return {
    host: values.host,
    port,
    upstream: values.upstream,
    db: values.db,
    dbPort,
    dataDir: values["data-dir"],
    allow: values.allow,
    guard: { allowOrigins: values["allow-origin"], allowHosts: values["allow-host"] },
  };
}

async function main() {
  const args = parseCli();
  const step = (line: string) => process.stdout.write(`• ${line}\n`);
  onShutdown(() => step("stopped"));

  try {
    if (args.upstream) step(`upstream ${redactUrl(args.upstream)}`);
    const stack = await startLocalStack({
      database: args.db as "auto" | "postgres" | "pglite",
      upstream: args.upstream,
      migrate: !args.upstream,
      dataDir: args.dataDir,
      dataRoot: DEV_DATA_ROOT,
      databasePort: args.dbPort || DEV_DATABASE_PORT,
      neonHost: args.host,
      neonPort: args.port,
      allow: args.allow,
      guard: args.guard,
      log: step,
    });
    onShutdown(() => stack.stop());
    const hostPort = stack.neonProxy;
    const proxy = stack.neon;
    const upstream = stack.directUrl;
    process.stdout.write(
      [
        "",
        `  WebSocket  ws://${hostPort}/v2?address=<db host>:<db port>   (Pool, Client, PrismaNeon)`,
        `  HTTP       ${proxy.httpUrl}/sql                            (neon(), PrismaNeonHttp)`,
        `  Stats      ${proxy.httpUrl}/_local-neon/stats   faults: ${proxy.httpUrl}/_local-neon/faults`,
        "",
        "  Endpoints (host names the proxy maps itself, as Neon's):",
        `    pooled  ${LOCAL_ENDPOINT_NAMES.pooled} → ${stack.pooler === "pgbouncer" ? `PgBouncer ${new URL(stack.poolerUrl!).host} (transaction mode)` : "the database (no pooler)"}`,
        `    direct  ${LOCAL_ENDPOINT_NAMES.direct}        → the database ${new URL(upstream).host}`,
        // Redacted: the local credentials are documented (README), never printed.
        `  DATABASE_URL=${redactUrl(stack.pooledUrl)}   (the Worker: pooled)`,
        `  DIRECT_URL=${redactUrl(upstream)}   (Node scripts, migrations)`,
        "",
        "  neonConfig for clients:",
        ...neonConfigLines(hostPort).map((line) => `    ${line}`),
        "",
        "Ctrl-C to stop.",
        "",
      ].join("\n"),
    );
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    await shutdown(1);
  }
}

void main();
