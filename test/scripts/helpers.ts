// Shared helpers for the scripts tests: run a script as a real child process (tsx), and
// make fresh databases on the throwaway Postgres each test file starts.
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
