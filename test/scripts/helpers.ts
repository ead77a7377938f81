// Shared helpers for the scripts tests: run a script as a real child process (tsx), and
// make fresh databases on the throwaway Postgres each test file starts.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, findFreePort, uniqueName } from "@starter/local-postgres";
import { type ChildResult, runProcess } from "@starter/prisma-offline";
import { migrateDatabase } from "../../scripts/db/migrate.js";

export { createDatabase, databaseUrl, query, uniqueName } from "@starter/local-postgres";
export type { ChildResult } from "@starter/prisma-offline";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `node --import tsx <script> …args` from the project root, with env overrides (undefined removes). */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ChildResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DOTENV_CONFIG_PATH: path.join(ROOT, ".env.does-not-exist") };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  return runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, script), ...args], {
    env: childEnv,
    cwd: ROOT,
  });
}

/** A port nothing listens on (bound, then released). */
export const closedPort = (): Promise<number> => findFreePort();

/** A fresh database on the test file's server, with the project's migrations applied. */
export async function createMigratedDatabase(serverUrl: string, prefix: string): Promise<string> {
  const url = await createDatabase(serverUrl, uniqueName(prefix));
  await migrateDatabase({ directUrl: url, log: () => {} });
  return url;
}

export const nonEmptyLines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

// `npm run dev` (scripts/dev.ts) as a user starts it, for the tests that run it for real.
export interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Its local identity provider's folder (LOCAL_ISSUER_DIR): `npm run token` run with it signs for this dev. */
  issuerDir: string;
}

export function startDev(env: Record<string, string>, args: string[] = []): DevRun {
  // As a user's shell has it: vitest's NODE_ENV=test would also make wrangler skip work (the
  // Request.cf fetch) that `npm run dev` must turn off itself.
  const { NODE_ENV: _test, ...userEnv } = process.env;
  // Its own identity provider (keys, config, a free port), removed once it exits: a developer's
  // .local/issuer and their running dev stay untouched.
  const ownIssuer = env.LOCAL_ISSUER_DIR === undefined;
  const issuerDir = env.LOCAL_ISSUER_DIR ?? mkdtempSync(path.join(tmpdir(), "dev-issuer-"));
  env = { LOCAL_ISSUER_PORT: "0", ...env, LOCAL_ISSUER_DIR: issuerDir };
  // Its own process group, so the SIGINT below reaches dev and wrangler as Ctrl-C in a terminal would.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/dev.ts"), ...args], {
    cwd: ROOT,
    env: { ...userEnv, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  if (ownIssuer) void exited.then(() => rmSync(issuerDir, { recursive: true, force: true }));
  return { child, output: () => output, exited, issuerDir };
}

export async function waitFor(run: DevRun, text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(`npm run dev never printed "${text}". Output:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopDev(run: DevRun): Promise<number | null> {
  process.kill(-run.child.pid!, "SIGINT");
  return run.exited;
}
