// What every scripts/ci/* file shares: GitHub Actions' workflow commands (step outputs, masks)
// and the failure convention of scripts/ (one plain line on stderr, exit 1). Outside Actions
// (GITHUB_OUTPUT unset) outputs go nowhere and nothing is masked, so each script runs locally too.
import { appendFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";

/** A failure the script explains in one line (no stack trace). */
export class CiScriptError extends Error {
  override name = "CiScriptError";
}

/** Registers a value with the runner's log masker before anything can print it. */
export function mask(value: string): void {
  if (process.env.GITHUB_ACTIONS !== "true" || value === "") return;
  // A workflow command is one line; a value with a newline would end it early.
  for (const part of value.split(/\r?\n/)) if (part) process.stdout.write(`::add-mask::${part}\n`);
}

/** Appends `name=value` to $GITHUB_OUTPUT (the step's outputs); a no-op outside Actions. */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  if (/[\r\n]/.test(value)) throw new CiScriptError(`output ${name} must be one line`);
  appendFileSync(file, `${name}=${value}\n`);
}

/** A required environment variable, or a one-line error naming it. */
export function requireEnv(name: string, why: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new CiScriptError(`${name} is not set (${why})`);
  return value;
}

/** Whether this module is the script node was started with (`npx tsx scripts/ci/x.ts`). */
export function isMain(metaUrl: string): boolean {
  return Boolean(process.argv[1]) && metaUrl === pathToFileURL(path.resolve(process.argv[1]!)).href;
}

/** Runs a script's main: its errors become `<name>: <first line>` on stderr and exit code 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: ${message.split("\n")[0]}\n`);
    process.exitCode = 1;
  });
}

/** node:util's parseArgs (strict), with its errors as the script's one line plus its usage. */
export function parseCli<T extends ParseArgsConfig>(config: T, usage: string) {
  try {
    return parseArgs({ args: process.argv.slice(2), strict: true, ...config });
  } catch (error) {
    throw new CiScriptError(`${(error as Error).message.split("\n")[0]} (usage: ${usage})`);
  }
}

/** A flag's value as a number ≥ 0, or undefined when the flag was not given. */
export function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new CiScriptError(`--${name} needs a number`);
  return n;
}
