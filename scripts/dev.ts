// `npm run dev`: the whole local stack in one command, offline.
//  - .dev.vars names a real DATABASE_URL (and no NEON_LOCAL_PROXY): use it, start nothing local.
//  - otherwise: local Postgres (data kept in .local/) → migrations → seed if empty → local Neon
//    proxy → `wrangler dev` with bindings pointing at the proxy.
// One progress line per step, then the URL. Ctrl-C stops all of it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "dotenv";
import { startLocalPostgres, type LocalPostgres } from "./local-postgres/index";
import { startLocalNeon, type LocalNeon } from "./local-neon/index";
import { migrateDatabase } from "./db/migrate";
import { seedDatabase } from "./db/seed";
import { runPrisma } from "./prisma/cli";
import { redactUrl } from "./local-postgres/redact";

const step = (line: string) => console.log(`[dev] ${line}`);

const WORKER_PORT = Number(process.env.PORT ?? 8787);
const NEON_PORT = Number(process.env.NEON_LOCAL_PORT ?? 4444);

const cleanups: Array<() => Promise<void>> = [];
let wrangler: ChildProcess | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    wrangler?.kill("SIGINT");
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function startLocalStack(): Promise<Record<string, string>> {
  const kind = (process.env.LOCAL_DB ?? "auto") as "auto" | "postgres" | "pglite";
  step(`starting the local database (${kind === "auto" ? "PostgreSQL if installed, else embedded PGlite" : kind})`);
  const database: LocalPostgres = await startLocalPostgres({ kind, dataDir: `.local/${kind === "pglite" ? "pglite" : "db"}` });
  cleanups.push(() => database.stop());
  step(`database ready: ${database.kind} at ${redactUrl(database.url)}`);

  step("applying migrations (prisma migrate deploy)");
  await migrateDatabase({ directUrl: database.url, log: () => {} });

  const seed = await seedDatabase(database.url, { onlyIfEmpty: true, log: () => {} });
  step(seed.seeded ? `seeded the empty database (${seed.users} users, ${seed.posts} posts)` : "database already has data: not seeding");

  const neon: LocalNeon = await startLocalNeon({ upstream: database.url, port: NEON_PORT });
  cleanups.push(() => neon.stop());
  step(`local Neon proxy on ${neon.httpUrl} (stats: ${neon.httpUrl}/_local-neon/stats)`);
  return { DATABASE_URL: database.url, NEON_LOCAL_PROXY: `${neon.host}:${neon.port}` };
}

function devVars(): Record<string, string> {
  return existsSync(".dev.vars") ? parse(readFileSync(".dev.vars")) : {};
}

async function main() {
  step("generating Prisma Client");
  const generated = await runPrisma(["generate"], { quiet: true });
  if (generated.code !== 0) throw new Error(`prisma generate failed: ${generated.stderr.trim().split("\n").at(-1)}`);

  const vars = devVars();
  let bindings: Record<string, string> = {};
  if (vars.DATABASE_URL && !vars.NEON_LOCAL_PROXY) {
    step(`using DATABASE_URL from .dev.vars (${redactUrl(vars.DATABASE_URL)}); starting nothing local`);
  } else {
    bindings = await startLocalStack();
  }

  step(`starting wrangler dev on port ${WORKER_PORT}`);
  const args = ["node_modules/wrangler/bin/wrangler.js", "dev", "--port", String(WORKER_PORT), "--ip", "127.0.0.1"];
  for (const [key, value] of Object.entries(bindings)) args.push("--var", `${key}:${value}`);
  wrangler = spawn(process.execPath, args, {
    stdio: "inherit",
    // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker.
    env: { ...process.env, CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false" },
  });
  wrangler.on("exit", (code) => void stopAll(code ?? 0));
  await waitForHttp(`http://127.0.0.1:${WORKER_PORT}/health`);
  step(`ready: http://127.0.0.1:${WORKER_PORT} (try /health)`);
}

async function waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

main().catch((error: unknown) => {
  console.error(`[dev] error: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
