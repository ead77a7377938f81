// `npx tsx scripts/ci/preview-url.ts [file]`: the preview URL in `wrangler versions upload` output
// (the file, or stdin): the alias URL (stable per PR) when there is one, else the version's own URL.
// Prints it and sets the step output `url`. wrangler 4.16x prints, once the version is uploaded and
// the Worker has Preview URLs enabled:
//   Version Preview URL: https://<8 hex>-<worker>.<subdomain>.workers.dev
//   Version Preview Alias URL: https://<alias>-<worker>.<subdomain>.workers.dev   (with --preview-alias)
import { readFileSync } from "node:fs";
import { CiScriptError, isMain, runMain, setOutput } from "./actions.js";

export interface PreviewUrls {
  versionUrl?: string;
  aliasUrl?: string;
}

// wrangler colours nothing on these lines, but a terminal capture may carry ANSI codes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences.
const ANSI = /\x1b\[[0-9;]*m/g;

export function parsePreviewUrls(output: string): PreviewUrls {
  const found: PreviewUrls = {};
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(ANSI, "").trim();
    const match = /^Version Preview (Alias )?URL: (https:\/\/\S+)$/.exec(line);
    if (!match) continue;
    if (match[1]) found.aliasUrl = match[2]!;
    else found.versionUrl = match[2]!;
  }
  return found;
}

/** The URL to test and share, or a one-line reason there is none. */
export function previewUrl(output: string): string {
  const { aliasUrl, versionUrl } = parsePreviewUrls(output);
  const url = aliasUrl ?? versionUrl;
  if (!url) {
    throw new CiScriptError(
      "no 'Version Preview URL' in wrangler's output: was the version uploaded, and does the Worker have " +
        "Preview URLs enabled (preview_urls = true in wrangler.toml, then one `wrangler deploy`)?",
    );
  }
  return url;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const file = process.argv[2];
  let output: string;
  try {
    output = file ? readFileSync(file, "utf8") : await readStdin();
  } catch (error) {
    throw new CiScriptError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const url = previewUrl(output);
  setOutput("url", url);
  console.log(url);
}

if (isMain(import.meta.url)) runMain("preview-url", main);
