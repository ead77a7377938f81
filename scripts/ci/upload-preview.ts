// `npx tsx scripts/ci/upload-preview.ts --name pr-12 [--message TEXT] [--config FILE] [--hyperdrive-id ID] [--tag TAG]`:
// creates or updates the Worker Preview `pr-12` (`wrangler preview`) of the built Worker, bound to a
// preview database. A Preview is its own resource beside the Worker's versions, with its own secrets:
// nothing it sets is ever inherited by `wrangler deploy`. It runs in the PREVIEW account
// (CLOUDFLARE_ACCOUNT_ID of the GitHub environment `preview`), so its token cannot reach production.
// Secrets: DATABASE_URL (the branch's pooled URL) and API_TOKEN, from the environment, through
// --secrets-file. When the config binds [[hyperdrive]], the Preview gets its own: --hyperdrive-id
// (scripts/ci/preview-hyperdrive.ts made it on the branch) becomes its [[previews.hyperdrive]].
// Prints the Preview's URL and sets the step output `url`. Run `npm run build` first.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CiScriptError, isMain, parseCli, runMain, setOutput } from "./actions.js";
import { readSecrets, readWorkerConfig, type WorkerConfig } from "./worker-secrets.js";
import { type Echo, runWranglerWithSecrets } from "./wrangler.js";

// A Preview's name becomes part of a DNS label, <name>-<worker>.<subdomain>.workers.dev.
const NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

const WHY: Record<string, string> = {
  DATABASE_URL: "the preview branch's pooled connection string",
  API_TOKEN: "the preview's bearer token, the secret PREVIEW_API_TOKEN",
};

export interface UploadOptions {
  name: string;
  message?: string;
  tag?: string;
  /** wrangler's config file (default: wrangler.toml in the working directory). */
  config?: string;
  /** The preview's own Hyperdrive config; required when the config binds [[hyperdrive]]. */
  hyperdriveId?: string;
  env?: NodeJS.ProcessEnv;
  echo?: Echo;
}

export function checkName(name: string): void {
  if (!NAME.test(name) || name.length > 30) {
    throw new CiScriptError(
      `preview name "${name}" is not valid: lowercase letters, digits and dashes, starting with a letter, at most 30`,
    );
  }
}

/**
 * The config the Preview is made from: the project's, with its own Hyperdrive binding appended when
 * production binds one. Written beside the original (its relative paths stay valid); removed after.
 */
function previewConfig(config: WorkerConfig, hyperdriveId: string | undefined): { file: string; remove(): void } {
  if (!config.hyperdrive) return { file: config.path, remove() {} };
  if (!hyperdriveId) {
    throw new CiScriptError(
      `${config.path} binds [[hyperdrive]]: give the preview its own (--hyperdrive-id from scripts/ci/preview-hyperdrive.ts)`,
    );
  }
  if (!/^\[previews\]$/m.test(config.toml)) {
    throw new CiScriptError(`${config.path} has no [previews] block (wrangler preview needs one; it may be empty)`);
  }
  const file = path.join(path.dirname(config.path), ".wrangler-preview.toml");
  const binding = `\n[[previews.hyperdrive]]\nbinding = "HYPERDRIVE"\nid = "${hyperdriveId}"\n`;
  writeFileSync(file, config.toml + binding);
  return { file, remove: () => rmSync(file, { force: true }) };
}

/** The Preview's URL from `wrangler preview --json`'s output. */
export function previewUrlOf(output: string): string {
  const start = output.search(/^\{$/m);
  try {
    const parsed = JSON.parse(output.slice(start)) as {
      deployment?: { urls?: string[] };
      preview?: { urls?: string[] };
    };
    const url = parsed.preview?.urls?.[0] ?? parsed.deployment?.urls?.[0];
    if (url) return url;
  } catch {
    // Reported below, in one line.
  }
  throw new CiScriptError("wrangler preview printed no Preview URL (is preview_urls = true in wrangler.toml?)");
}

export async function uploadPreview(opts: UploadOptions): Promise<{ url: string }> {
  checkName(opts.name);
  const config = readWorkerConfig(opts.config);
  // Both, always: with its own Hyperdrive a preview does not use DATABASE_URL, but carries the branch's.
  const secrets = readSecrets(["DATABASE_URL", "API_TOKEN"], opts.env ?? process.env, WHY);
  const made = previewConfig(config, opts.hyperdriveId);
  try {
    const args = ["preview", "--config", made.file, "--name", opts.name, "--json"];
    args.push("--message", (opts.message ?? `preview ${opts.name}`).slice(0, 100));
    if (opts.tag) args.push("--tag", opts.tag);
    const run = await runWranglerWithSecrets(args, secrets, { echo: opts.echo, what: "wrangler preview" });
    return { url: previewUrlOf(run.output) };
  } finally {
    made.remove();
  }
}

async function main(): Promise<void> {
  const { values } = parseCli(
    {
      options: {
        name: { type: "string" },
        message: { type: "string" },
        tag: { type: "string" },
        config: { type: "string" },
        "hyperdrive-id": { type: "string" },
      },
    },
    "upload-preview.ts --name NAME [--message TEXT] [--tag TAG] [--config FILE] [--hyperdrive-id ID]",
  );
  if (!values.name) throw new CiScriptError("--name is required (e.g. --name pr-12)");
  const { url } = await uploadPreview({
    name: values.name,
    message: values.message,
    tag: values.tag,
    config: values.config,
    hyperdriveId: values["hyperdrive-id"] || undefined,
  });
  setOutput("url", url);
  console.log(`preview: ${url}`);
}

if (isMain(import.meta.url)) runMain("upload-preview", main);
