// `npm run dev`: the whole local stack in one command, offline.
//  - .dev.vars sets DATABASE_URL (a real Neon, or your own `npm run neon:local`): use it as is,
//    start nothing local.
//  - otherwise: local Postgres (data kept in .local/) → migrations → seed if empty → local Neon
//    proxy → `wrangler dev` with bindings that point the Worker at the proxy.
// One progress line per step, then the URL. Ctrl-C stops all of it; a second run reuses the data.
// Knobs (environment): PORT (Worker, 8787), NEON_LOCAL_PORT (proxy, 4444), LOCAL_DB
// (auto | postgres | pglite), LOCAL_DB_PORT (54329), LOCAL_DATA_DIR (.local/postgres or .local/pglite).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "dotenv";
import { redactUrl } from "./lib/redact";
import { isShuttingDown, onShutdown, shutdown } from "./lib/shutdown";
import { startDevDatabase } from "./local-postgres/dev-database";
import { startLocalNeon } from "./local-neon/index";
import { migrateDatabase } from "./db/migrate";
import { seedDatabase } from "./db/seed";
import { buildWorkerInputs } from "./build";

const WORKER_PORT = Number(process.env.PORT ?? 8787);
const NEON_PORT = Number(process.env.NEON_LOCAL_PORT ?? 4444);
/** Write routes need a bearer token; locally this one, unless .dev.vars sets API_TOKEN. */
const LOCAL_API_TOKEN = "local-dev-token";

const step = (line: string) => console.log(`[dev] ${line}`);

/** Starts the local database and proxy; returns the Worker bindings that point at them. */
async function startLocalStack(): Promise<Record<string, string>> {
  const kind = (process.env.LOCAL_DB ?? "auto") as "auto" | "postgres" | "pglite";
  step(`starting the local database (${kind === "auto" ? "PostgreSQL if installed, else embedded PGlite" : kind})`);
  const database = await startDevDatabase({ kind, dataDir: process.env.LOCAL_DATA_DIR });
  onShutdown(() => database.stop());
  step(`database ready: ${database.kind} at ${redactUrl(database.url)}`);

  step("applying migrations (prisma migrate deploy)");
  const { applied } = await migrateDatabase({ directUrl: database.url, attempts: 1, log: () => {} });
  step(applied.length ? `applied ${applied.length} migration(s)` : "migrations already applied");

  const seed = await seedDatabase(database.url, { onlyIfEmpty: true, log: () => {} });
  step(seed.seeded ? `seeded the empty database (${seed.users} users, ${seed.posts} posts)` : "database has data: not seeding");

  const neon = await startLocalNeon({ upstream: database.url, port: NEON_PORT });
  onShutdown(() => neon.stop());
  step(`local Neon proxy on ${neon.httpUrl} (counters: ${neon.httpUrl}/_local-neon/stats)`);
  return { DATABASE_URL: database.url, NEON_LOCAL_PROXY: `${neon.host}:${neon.port}` };
}

async function main() {
  onShutdown(() => step("stopped"));
  // DEV_SKIP_BUILD: for the dev-command test, which runs beside Worker tests that read src/generated.
  if (!process.env.DEV_SKIP_BUILD) {
    step("generating Prisma Client and the /docs assets");
    await buildWorkerInputs();
  }

  const devVars = existsSync(".dev.vars") ? parse(readFileSync(".dev.vars")) : {};
  const bindings: Record<string, string> = {};
  if (devVars.DATABASE_URL) {
    step(`using DATABASE_URL from .dev.vars (${redactUrl(devVars.DATABASE_URL)}); starting nothing local`);
  } else {
    Object.assign(bindings, await startLocalStack());
  }
  if (!devVars.API_TOKEN) {
    bindings.API_TOKEN = LOCAL_API_TOKEN;
    step(`write routes take "Authorization: Bearer ${LOCAL_API_TOKEN}" (set API_TOKEN in .dev.vars to change it)`);
  }

  step(`starting wrangler dev on http://127.0.0.1:${WORKER_PORT}`);
  const args = ["node_modules/wrangler/bin/wrangler.js", "dev", "--port", String(WORKER_PORT), "--ip", "127.0.0.1"];
  for (const [key, value] of Object.entries(bindings)) args.push("--var", `${key}:${value}`);
  const wrangler = spawn(process.execPath, args, {
    stdio: "inherit",
    // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker.
    env: { ...process.env, CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false" },
  });
  onShutdown(() => wrangler.kill("SIGINT"));
  wrangler.on("exit", (code) => void shutdown(code ?? 0));

  if (await waitForHttp(`http://127.0.0.1:${WORKER_PORT}/health`)) {
    step(`ready: http://127.0.0.1:${WORKER_PORT}  (try /health, /users, /docs; Ctrl-C stops everything)`);
  }
}

/** Polls until the Worker answers; false if it never does (wrangler's own output says why). */
async function waitForHttp(url: string, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !isShuttingDown()) {
    try {
      await fetch(url);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return false;
}

main().catch((error: unknown) => {
  console.error(`[dev] error: ${redactUrl(error instanceof Error ? error.message : String(error))}`);
  void shutdown(1);
});
