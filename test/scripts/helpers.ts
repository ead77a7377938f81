// Shared helpers for the scripts tests: run a script as a real child process (tsx), and
// make fresh databases on the throwaway Postgres each test file starts.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";

import { migrateDatabase } from "../../scripts/db/migrate.js";
import { findFreePort } from "../../scripts/local-postgres/free-port.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, capturing its output (never rejects on a non-zero exit). */
export function runProcess(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.end(opts.input ?? "");
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `node --import tsx <script> …args` from the project root, with env overrides (undefined removes). */
export function runScript(script: string, args: string[], env: Record<string, string | undefined>): Promise<ChildResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DOTENV_CONFIG_PATH: path.join(ROOT, ".env.does-not-exist") };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  return runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, script), ...args], { env: childEnv });
}

/** Same server and credentials, another database name. */
export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

let counter = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await query(serverUrl, `CREATE DATABASE "${name}"`);
  return databaseUrl(serverUrl, name);
}

/** A port nothing listens on (bound, then released). */
export const closedPort = (): Promise<number> => findFreePort();

export const nonEmptyLines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

/** A fresh database on the test file's server, with the project's migrations applied. */
export async function createMigratedDatabase(serverUrl: string, prefix: string): Promise<string> {
  const url = await createDatabase(serverUrl, uniqueName(prefix));
  await migrateDatabase({ directUrl: url, log: () => {} });
  return url;
}
