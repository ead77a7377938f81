// The Worker's secrets as every upload gives them, production's deploy and each preview alike:
// which are required, and the checks on each. wrangler inherits any secret an upload does not
// carry from the Worker's newest version, so an upload that carries them all inherits none of ours.
import { readFileSync } from "node:fs";
import { CiScriptError } from "./actions.js";
import { hasHyperdrive } from "./wrangler.js";

export interface WorkerConfig {
  path: string;
  toml: string;
  /** Whether it binds [[hyperdrive]] at the top level (every route then takes it). */
  hyperdrive: boolean;
}

export function readWorkerConfig(file = "wrangler.toml"): WorkerConfig {
  let toml: string;
  try {
    toml = readFileSync(file, "utf8");
  } catch (error) {
    throw new CiScriptError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return { path: file, toml, hyperdrive: hasHyperdrive(toml) };
}

/** The secrets an upload must carry: API_TOKEN, and DATABASE_URL unless Hyperdrive is bound. */
export function requiredSecrets(config: WorkerConfig): string[] {
  return config.hyperdrive ? ["API_TOKEN"] : ["DATABASE_URL", "API_TOKEN"];
}

/** The values of `names` from `env`, each checked, or one line naming the first problem. */
export function readSecrets(
  names: string[],
  env: NodeJS.ProcessEnv,
  why: Record<string, string>,
): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of names) {
    const value = env[name]?.trim();
    if (!value) throw new CiScriptError(`${name} is not set (${why[name] ?? "a Worker secret"})`);
    if (name === "DATABASE_URL") checkPooledUrl(value);
    secrets[name] = value;
  }
  return secrets;
}

/** The Worker opens a connection per request: it takes Neon's pooled endpoint (README). */
export function checkPooledUrl(databaseUrl: string): void {
  let host: string;
  try {
    const url = new URL(databaseUrl);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error();
    host = url.hostname;
  } catch {
    throw new CiScriptError("DATABASE_URL is not a postgresql:// connection string");
  }
  if (!host.includes("-pooler")) {
    throw new CiScriptError(`DATABASE_URL's host ${host} is not a -pooler endpoint: give the Worker the pooled URL`);
  }
}
