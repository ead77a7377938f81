// `npx tsx scripts/ci/upload-preview.ts --alias pr-12 [--message TEXT] [--config FILE] [--dry-run]`: upload the built
// Worker as a new version (not deployed: production traffic stays on the deployed one) with a preview
// alias, bound to a preview database. The version gets DATABASE_URL and API_TOKEN (from the
// environment) as its own secrets through `wrangler versions upload --secrets-file`, a JSON file in
// a private temporary folder that is removed afterwards: secrets, not plain --var values, so
// they show as hidden everywhere. Passes wrangler's output through, then prints the preview URL and
// sets the step output `url` (scripts/ci/preview-url.ts reads it). Run `npm run build` first.
// Refuses a config with a [[hyperdrive]] binding: every route would take it, so the preview would
// reach production's database whatever DATABASE_URL says.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { CiScriptError, isMain, mask, parseCli, requireEnv, runMain, setOutput } from "./actions.js";
import { previewUrl } from "./preview-url.js";

// wrangler's own rule for an alias; it becomes part of a DNS label, <alias>-<worker>.<subdomain>.
const ALIAS = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

export interface UploadOptions {
  alias: string;
  message?: string;
  dryRun?: boolean;
  /** wrangler's config file (default: wrangler.toml in the working directory). */
  config?: string;
  databaseUrl: string;
  apiToken: string;
  /** Where wrangler's output goes as it arrives (default: this process's stdout/stderr). */
  echo?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
}

export interface UploadResult {
  /** undefined for a dry run. */
  url?: string;
  output: string;
}

export function checkInputs(opts: Pick<UploadOptions, "alias" | "databaseUrl" | "apiToken">): void {
  if (!ALIAS.test(opts.alias) || opts.alias.length > 30) {
    throw new CiScriptError(
      `alias "${opts.alias}" is not valid: lowercase letters, digits and dashes, starting with a letter, at most 30`,
    );
  }
  let host: string;
  try {
    const url = new URL(opts.databaseUrl);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error();
    host = url.hostname;
  } catch {
    throw new CiScriptError("DATABASE_URL is not a postgresql:// connection string");
  }
  // The Worker opens a connection per request: it takes Neon's pooled endpoint (README).
  if (!host.includes("-pooler")) {
    throw new CiScriptError(`DATABASE_URL's host ${host} is not a -pooler endpoint: give the Worker the pooled URL`);
  }
}

/** A [[hyperdrive]] table that is not commented out. */
export function hasHyperdrive(toml: string): boolean {
  return /^\s*\[\[\s*hyperdrive\s*\]\]/m.test(toml);
}

function wranglerBin(): string {
  const pkg = createRequire(import.meta.url).resolve("wrangler/package.json");
  return path.join(path.dirname(pkg), "bin", "wrangler.js");
}

export async function uploadPreview(opts: UploadOptions): Promise<UploadResult> {
  checkInputs(opts);
  const config = opts.config ?? "wrangler.toml";
  let toml: string;
  try {
    toml = readFileSync(config, "utf8");
  } catch (error) {
    throw new CiScriptError(`cannot read ${config}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (hasHyperdrive(toml)) {
    throw new CiScriptError(
      `${config} binds [[hyperdrive]]: a preview version would use it, i.e. production's database; ` +
        "upload previews from a config without it (docs/DEPLOY.md)",
    );
  }
  mask(opts.databaseUrl);
  mask(opts.apiToken);
  const dir = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), "preview-secrets-"));
  try {
    chmodSync(dir, 0o700);
    const secretsFile = path.join(dir, "secrets.json");
    // JSON, not .env: wrangler expands $VAR in a dotenv file, and a password may contain "$".
    writeFileSync(secretsFile, JSON.stringify({ DATABASE_URL: opts.databaseUrl, API_TOKEN: opts.apiToken }), {
      mode: 0o600,
    });
    const args = [
      "versions",
      "upload",
      "--config",
      config,
      "--preview-alias",
      opts.alias,
      "--secrets-file",
      secretsFile,
    ];
    args.push("--message", (opts.message ?? `preview ${opts.alias}`).slice(0, 100));
    if (opts.dryRun) args.push("--dry-run", "--outdir", path.join(dir, "out"));

    // wrangler needs none of the values; it reads them from the file only.
    const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false" };
    delete env.DATABASE_URL;
    delete env.API_TOKEN;
    const echo = opts.echo ?? ((chunk, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(chunk));
    const chunks: Buffer[] = [];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [wranglerBin(), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      for (const stream of ["stdout", "stderr"] as const) {
        child[stream].on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          echo(chunk, stream);
        });
      }
      child.on("error", reject);
      child.on("close", (status) => resolve(status ?? 1));
    });
    const output = Buffer.concat(chunks).toString("utf8");
    if (code !== 0) throw new CiScriptError(`wrangler versions upload failed (exit ${code}); its output is above`);
    return { url: opts.dryRun ? undefined : previewUrl(output), output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseCli(
    {
      options: {
        alias: { type: "string" },
        message: { type: "string" },
        config: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
    },
    "upload-preview.ts --alias NAME [--message TEXT] [--config FILE] [--dry-run]",
  );
  const { alias, message, config } = values;
  if (!alias) throw new CiScriptError("--alias is required (e.g. --alias pr-12)");
  const { url } = await uploadPreview({
    alias,
    message,
    config,
    dryRun: values["dry-run"],
    databaseUrl: requireEnv("DATABASE_URL", "the preview branch's pooled connection string"),
    apiToken: requireEnv("API_TOKEN", "the preview Worker's bearer token, the secret PREVIEW_API_TOKEN"),
  });
  if (!url) {
    console.log(`dry run: nothing uploaded (alias ${alias})`);
    return;
  }
  setOutput("url", url);
  console.log(`preview: ${url}`);
}

if (isMain(import.meta.url)) runMain("upload-preview", main);
