// `npm run db:migrate`: apply prisma/migrations to DIRECT_URL with `prisma migrate deploy`,
// after checking the URL and waiting out a cold (scaled-to-zero) Neon compute.
import "dotenv/config";

import path from "node:path";
import { pathToFileURL } from "node:url";

import { migrateDeploy } from "@starter/prisma-offline";
import { assertNotPooled, DatabaseScriptError, readDirectUrl, redactUrl, withConnectTimeout } from "./direct-url.js";
import { waitForDatabase } from "./wait-for-database.js";

export interface MigrateOptions {
  /** Defaults to DIRECT_URL from the environment / .env. */
  directUrl?: string;
  /** Connection attempts before giving up (env DB_MIGRATE_ATTEMPTS, default 6). */
  attempts?: number;
  /** First retry delay in ms, doubling up to 8 s (env DB_MIGRATE_BACKOFF_MS, default 1000). */
  backoffMs?: number;
  /** Seconds, added to the URL when it has no connect_timeout (default 10). */
  connectTimeoutS?: number;
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations this run applied (empty when already up to date). */
  applied: string[];
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number.parseInt(raw, 10) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export async function migrateDatabase(opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? ((line: string) => console.log(`[db:migrate] ${line}`));
  const rawUrl = opts.directUrl ?? readDirectUrl();
  assertNotPooled(rawUrl);
  const url = withConnectTimeout(rawUrl, opts.connectTimeoutS ?? 10);

  await waitForDatabase(url, {
    attempts: Math.max(1, opts.attempts ?? intFromEnv("DB_MIGRATE_ATTEMPTS", 6)),
    backoffMs: opts.backoffMs ?? intFromEnv("DB_MIGRATE_BACKOFF_MS", 1000),
    log,
  });

  log(`prisma migrate deploy → ${redactUrl(url)}`);
  let applied: string[];
  try {
    ({ applied } = await migrateDeploy(url));
  } catch (error) {
    throw new DatabaseScriptError((error as Error).message);
  }
  log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "already up to date");
  return { applied };
}

function parseFlags(argv: string[]): Pick<MigrateOptions, "attempts" | "backoffMs"> {
  const out: Pick<MigrateOptions, "attempts" | "backoffMs"> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split("=", 2);
    const value = Number.parseInt(inline ?? argv[++i] ?? "", 10);
    if (!Number.isFinite(value) || value < 0) throw new DatabaseScriptError(`Invalid value for ${flag}.`);
    if (flag === "--attempts") out.attempts = value;
    else if (flag === "--backoff-ms") out.backoffMs = value;
    else throw new DatabaseScriptError(`Unknown option ${flag} (expected --attempts N, --backoff-ms N).`);
  }
  return out;
}

async function main(): Promise<void> {
  try {
    await migrateDatabase(parseFlags(process.argv.slice(2)));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`db:migrate: ${redactUrl(message.split("\n")[0]!)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
