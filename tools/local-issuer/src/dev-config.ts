// What `npm run dev` leaves for `npm run token`: the keys, and the iss/aud the Worker was given.
// The folder is .local/issuer (gitignored, like the dev database); LOCAL_ISSUER_DIR moves it, so a
// test running dev leaves a developer's own keys and settings alone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The dev issuer's port (LOCAL_ISSUER_PORT changes it). */
export const DEV_ISSUER_PORT = 4455;

const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface DevIssuerConfig {
  /** The tokens' iss: the issuer's origin, as with Neon Auth. */
  issuer: string;
  /** The tokens' aud: the local API's origin. */
  audience: string;
  jwksUrl: string;
}

export function devIssuerDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LOCAL_ISSUER_DIR ?? path.join(PROJECT_ROOT, ".local", "issuer"));
}

export const keysFileIn = (dir: string): string => path.join(dir, "keys.json");
const configFileIn = (dir: string): string => path.join(dir, "config.json");

export function writeDevConfig(dir: string, config: DevIssuerConfig): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(configFileIn(dir), `${JSON.stringify(config, null, 2)}\n`);
}

/** The last dev run's settings, or undefined when dev never ran with this folder. */
export function readDevConfig(dir: string): DevIssuerConfig | undefined {
  const file = configFileIn(dir);
  if (!existsSync(file) || !existsSync(keysFileIn(dir))) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as DevIssuerConfig;
}
