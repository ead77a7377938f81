// What the deploy and preview scripts share: running the project's wrangler, and handing it secrets
// through `--secrets-file`, a JSON file in a private temporary folder removed afterwards. JSON, not
// .env: wrangler expands $VAR in a dotenv file, and a password may contain "$". The secrets' names
// are also removed from wrangler's environment, where they would override the file's values.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { CiScriptError, mask } from "./actions.js";

export interface WranglerRun {
  code: number;
  output: string;
}

/** Where wrangler's output goes as it arrives (default: this process's stdout/stderr). */
export type Echo = (chunk: Buffer, stream: "stdout" | "stderr") => void;

const defaultEcho: Echo = (chunk, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(chunk);

function wranglerBin(): string {
  const pkg = createRequire(import.meta.url).resolve("wrangler/package.json");
  return path.join(path.dirname(pkg), "bin", "wrangler.js");
}

/** `wrangler <args>` with `secrets` in a --secrets-file; throws one line when it fails. */
export async function runWranglerWithSecrets(
  args: string[],
  secrets: Record<string, string>,
  opts: { echo?: Echo; what: string },
): Promise<WranglerRun> {
  for (const value of Object.values(secrets)) mask(value);
  const dir = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), "wrangler-secrets-"));
  try {
    chmodSync(dir, 0o700);
    const secretsFile = path.join(dir, "secrets.json");
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false" };
    for (const name of Object.keys(secrets)) delete env[name];
    const run = await runWrangler([...args, "--secrets-file", secretsFile], env, opts.echo ?? defaultEcho);
    if (run.code !== 0) throw new CiScriptError(`${opts.what} failed (exit ${run.code}); its output is above`);
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runWrangler(args: string[], env: NodeJS.ProcessEnv, echo: Echo): Promise<WranglerRun> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin(), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream].on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        echo(chunk, stream);
      });
    }
    child.on("error", reject);
    child.on("close", (status) => resolve({ code: status ?? 1, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

/** A [[hyperdrive]] table that is not commented out (top level: production's binding). */
export function hasHyperdrive(toml: string): boolean {
  return /^\s*\[\[\s*hyperdrive\s*\]\]/m.test(toml);
}
