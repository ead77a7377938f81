// `npm run prisma -- <args>`: the real Prisma CLI, with the wasm schema-engine stand-in
// swapped in when no native engine is available (see schema-engine-path.ts).
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { DEV_DATA_ROOT, runningDatabaseUrl } from "@starter/local-postgres";
import { type ChildResult, runProcess } from "./process.js";
import { redactUrl } from "./redact.js";
import { chooseSchemaEngine, PROJECT_ROOT } from "./schema-engine-path.js";

const PRISMA_CLI = path.join(PROJECT_ROOT, "node_modules/prisma/build/index.js");

export interface RunPrismaOptions {
  /** Extra environment (undefined deletes a variable). */
  env?: Record<string, string | undefined>;
  /** Capture only; don't echo the CLI's output. */
  quiet?: boolean;
  cwd?: string;
}

export function prismaEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const engine = chooseSchemaEngine(env);
  if (engine.source === "wasm") env.PRISMA_SCHEMA_ENGINE_BINARY = engine.binary;
  // The stand-in starts with `#!/usr/bin/env node`: make that the Node running us (>=22),
  // not whatever else is first on PATH.
  env.PATH = [path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter);
  return env;
}

/** Runs the Prisma CLI and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runPrisma(args: string[], opts: RunPrismaOptions = {}): Promise<ChildResult> {
  return runProcess(process.execPath, [PRISMA_CLI, ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT,
    env: prismaEnv(opts.env),
    echo: !opts.quiet,
  });
}

/**
 * The commands that talk to a database, through prisma.config.ts's DIRECT_URL (`migrate diff`
 * takes its sources as flags; generate, validate and format need none).
 */
export function needsDirectUrl(args: string[]): boolean {
  const [command, sub] = args;
  if (args.includes("--url") || args.includes("--help") || args.includes("-h")) return false;
  if (command === "migrate") return sub !== undefined && sub !== "diff";
  return command === "studio" || (command === "db" && sub !== undefined);
}

/** Without DIRECT_URL, Prisma's own error names neither it nor .env: say both, in one line. */
export const MISSING_DIRECT_URL =
  "DIRECT_URL is not set: put the database's direct (non -pooler) connection string in .env (see .env.example), or keep npm run dev running (its database is then used; DIRECT_URL=postgres://neon:neon-local-password@127.0.0.1:54329/neondb)";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // What prisma.config.ts will see (it loads .env the same way).
  const { config } = await import("dotenv");
  config({ quiet: true });
  if (needsDirectUrl(args) && !process.env.DIRECT_URL?.trim()) {
    // While npm run dev runs, its database is the one meant (it publishes its URL beside its data).
    const local = runningDatabaseUrl(path.resolve(DEV_DATA_ROOT));
    if (!local) {
      console.error(`[prisma] error: ${MISSING_DIRECT_URL}`);
      process.exit(1);
    }
    console.error(
      `[prisma] DIRECT_URL is not set: using the database of the running npm run dev (${redactUrl(local)})`,
    );
    process.env.DIRECT_URL = local;
  }
  // Interactive use: inherit the terminal so prompts (migrate dev, migrate reset) work.
  const child = spawn(process.execPath, [PRISMA_CLI, ...args], {
    cwd: process.cwd(),
    env: prismaEnv(),
    stdio: "inherit",
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("close", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
