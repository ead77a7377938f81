// `npm run dev`: the whole local stack in one command, offline.
//  - .dev.vars sets DATABASE_URL (a real Neon, or your own `npm run neon:local`): use it as is,
//    start nothing local.
//  - otherwise: the local stack (tools/local-neon): Postgres with its data kept in .local/ →
//    migrations → seed if empty → local Neon proxy; then `wrangler dev` bound to that proxy.
// `npm run dev -- --hyperdrive`: the same, with a HYPERDRIVE binding to the local stack, so every
// route takes the Hyperdrive path (PrismaPg over TCP) instead of Neon's driver.
// `npm run dev -- --allow-host NAME` (repeatable): the Worker answers under that Host name too; by
// default only loopback names (a web page reaching it through DNS rebinding gets 403).
// One progress line per step, then the URL. Ctrl-C stops all of it (closing the terminal too); a
// second run reuses the data, and stops what a killed run left running.
// Unless .dev.vars sets JWKS_URL, a local identity provider (tools/local-issuer) too: the Worker
// gets its JWKS_URL, JWT_ISSUER and JWT_AUDIENCE, and `npm run token` mints users' tokens for it.
// Knobs (environment): PORT (Worker, 8787), NEON_LOCAL_PORT (proxy, 4444), LOCAL_DB
// (auto | postgres | pglite), LOCAL_DB_PORT (54329), LOCAL_DATA_DIR (.local/postgres or .local/pglite),
// LOCAL_ISSUER_PORT (4455), LOCAL_ISSUER_DIR (.local/issuer: its keys, and the settings npm run token reads).
import { existsSync, readFileSync } from "node:fs";
import { DEV_ISSUER_PORT, devIssuerDir, startDevIssuer } from "@starter/local-issuer";
import {
  DEV_DATA_ROOT,
  DEV_DATABASE_PORT,
  isShuttingDown,
  type LocalStack,
  onShutdown,
  serveWorker,
  shutdown,
  startLocalStack,
} from "@starter/local-neon";
import { redactUrl } from "@starter/prisma-offline";
import { parse } from "dotenv";
import { hostName, LOOPBACK_HOSTS } from "../src/lib/loopback";
import { buildWorkerInputs } from "./build";
import { seedDatabase } from "./db/seed";

const WORKER_PORT = Number(process.env.PORT ?? 8787);
const NEON_PORT = Number(process.env.NEON_LOCAL_PORT ?? 4444);
const ISSUER_PORT = Number(process.env.LOCAL_ISSUER_PORT ?? DEV_ISSUER_PORT);
/** Write routes need a bearer token; locally this one, unless .dev.vars sets API_TOKEN. */
const LOCAL_API_TOKEN = "local-dev-token";

const step = (line: string) => console.log(`[dev] ${line}`);

const USAGE = "usage: npm run dev [-- --hyperdrive] [--allow-host NAME]...";

function usageError(message: string): never {
  console.error(`[dev] error: ${message} (${USAGE})`);
  process.exit(2);
}

/** The command's flags; anything else is one line and exit 2. */
function parseFlags(argv: string[]): { hyperdrive: boolean; allowHosts: string[] } {
  const flags = { hyperdrive: false, allowHosts: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--hyperdrive") flags.hyperdrive = true;
    else if (arg === "--allow-host" || arg.startsWith("--allow-host=")) {
      const name = arg === "--allow-host" ? argv[++i] : arg.slice("--allow-host=".length);
      if (!name || hostName(name) === undefined) usageError(`--allow-host needs a host name, got "${name ?? ""}"`);
      flags.allowHosts.push(name);
    } else usageError(`unknown option ${arg}`);
  }
  return flags;
}

/** Starts the local database and proxy. */
async function startDevStack(): Promise<LocalStack> {
  const database = (process.env.LOCAL_DB ?? "auto") as "auto" | "postgres" | "pglite";
  step(
    `starting the local database (${database === "auto" ? "PostgreSQL if installed, else embedded PGlite" : database})`,
  );
  const stack = await startLocalStack({
    database,
    dataDir: process.env.LOCAL_DATA_DIR,
    dataRoot: DEV_DATA_ROOT,
    databasePort: DEV_DATABASE_PORT,
    neonPort: NEON_PORT,
    seed: async (url) => {
      const seed = await seedDatabase(url, { onlyIfEmpty: true, log: () => {} });
      step(seed.seeded ? `seeded the empty database (${seed.summary})` : `not seeding: ${seed.summary}`);
    },
    log: step,
  });
  onShutdown(() => stack.stop());
  step(`local Neon proxy on ${stack.neon.httpUrl} (counters: ${stack.neon.httpUrl}/_local-neon/stats)`);
  const behind = stack.pooler === "pgbouncer" ? "PgBouncer, transaction mode" : "no pooler";
  step(`the Worker's DATABASE_URL: ${redactUrl(stack.pooledUrl)} (pooled endpoint: ${behind})`);
  step(`the scripts' DIRECT_URL: ${redactUrl(stack.directUrl)} (npm run prisma uses it while this runs)`);
  return stack;
}

/** Starts the local identity provider; the Worker's JWT settings for it. */
async function startIssuer(audience: string): Promise<Record<string, string>> {
  const issuer = await startDevIssuer({ dir: devIssuerDir(), port: ISSUER_PORT, audience });
  onShutdown(() => issuer.stop());
  step(
    `local identity provider on ${issuer.origin} (JWKS: ${issuer.jwksUrl}; set JWKS_URL in .dev.vars to use your own)`,
  );
  return { JWKS_URL: issuer.jwksUrl, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: audience };
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  onShutdown(() => step("stopped"));
  // DEV_SKIP_BUILD: for the dev-command test, which runs beside Worker tests that read src/generated.
  if (!process.env.DEV_SKIP_BUILD) {
    step("generating Prisma Client and the /docs assets");
    await buildWorkerInputs();
  }

  const devVars = existsSync(".dev.vars") ? parse(readFileSync(".dev.vars")) : {};
  if (devVars.DATABASE_URL && isExamplePlaceholder(devVars.DATABASE_URL)) {
    throw new Error(
      ".dev.vars still has .dev.vars.example's placeholder DATABASE_URL: put your Neon pooled string there, or remove that line (or the file) to run on the local database",
    );
  }
  const bindings: Record<string, string> = {};
  let stack: LocalStack | undefined;
  if (devVars.DATABASE_URL && !flags.hyperdrive) {
    step(`using DATABASE_URL from .dev.vars (${redactUrl(devVars.DATABASE_URL)}); starting nothing local`);
  } else {
    if (devVars.DATABASE_URL)
      step("--hyperdrive: serving the local stack; .dev.vars' DATABASE_URL is not used this run");
    stack = await startDevStack();
    if (flags.hyperdrive) step(`HYPERDRIVE bound to the local stack (${redactUrl(stack.hyperdriveUrl)})`);
  }
  if (!devVars.API_TOKEN) {
    bindings.API_TOKEN = LOCAL_API_TOKEN;
    step(`write routes take "Authorization: Bearer ${LOCAL_API_TOKEN}" (set API_TOKEN in .dev.vars to change it)`);
  }
  const origin = `http://127.0.0.1:${WORKER_PORT}`;
  // After the database: a second dev refuses there, in one line, before touching the issuer's port.
  const issuing = !devVars.JWKS_URL;
  if (issuing) Object.assign(bindings, await startIssuer(origin));
  else step(`using JWKS_URL from .dev.vars (${devVars.JWKS_URL}); starting no local identity provider`);
  // The Worker's Host check (src/middleware/host-check.ts): loopback names, .dev.vars' own, --allow-host's.
  const fromDevVars = (devVars.LOCAL_ALLOWED_HOSTS ?? "").split(",").map((name) => name.trim());
  const hosts = [...new Set([...LOOPBACK_HOSTS, ...fromDevVars, ...flags.allowHosts])].filter(Boolean);
  bindings.LOCAL_ALLOWED_HOSTS = hosts.join(",");
  step(`answers only to Host ${hosts.join(", ")} (npm run dev -- --allow-host NAME adds one)`);

  step(`starting wrangler dev on ${origin}`);
  const worker = await serveWorker(stack, {
    bindings,
    port: WORKER_PORT,
    interactive: true,
    hyperdrive: flags.hyperdrive,
  });
  onShutdown(() => worker.dispose());
  // wrangler stopping on its own (a crash, its own Ctrl-C handling) ends the rest too.
  void worker.exited?.then((code) => isShuttingDown() || shutdown(code));

  const health = await waitForHttp(`${worker.origin}/health`);
  if (health?.status === 200) {
    step(`ready: ${worker.origin}  (try /health, /users, /docs; Ctrl-C stops everything)`);
    if (issuing) {
      step("a user's token: npm run token -- --sub alice --role admin");
      step(`  curl -H "Authorization: Bearer $(npm run -s token -- --sub alice)" ${worker.origin}/users/me`);
    }
  } else if (health) {
    // Serving, but not healthy: say why instead of "ready" (wrangler keeps running; fix and retry).
    step(
      `not ready: GET /health answered ${health.status}: ${health.detail} (wrangler keeps running; Ctrl-C stops it)`,
    );
  }
}

/** The example file's DATABASE_URL, copied as is (its host is Neon's documentation example). */
function isExamplePlaceholder(url: string): boolean {
  return /USER:PASSWORD@|ep-example-/.test(url);
}

/** Polls until the Worker answers; undefined if it never does (wrangler's own output says why). */
async function waitForHttp(url: string, timeoutMs = 120_000): Promise<{ status: number; detail: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !isShuttingDown()) {
    try {
      const res = await fetch(url);
      const body = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
      return { status: res.status, detail: body.detail ?? body.title ?? res.statusText };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return undefined;
}

main().catch((error: unknown) => {
  console.error(`[dev] error: ${redactUrl(error instanceof Error ? error.message : String(error))}`);
  void shutdown(1);
});
