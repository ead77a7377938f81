// What deploys, measured the way Cloudflare counts it: `wrangler deploy --dry-run --outdir`
// (total and gzip as wrangler prints them) and each file's share, plus `wrangler check startup`.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
/**
 * Upload budget, uncompressed: a sanity check, an eighth of Cloudflare's 64 MiB cap. The starter
 * uploads ~2.5 MiB; a budget this far above it fails on a dependency that balloons, not on growth.
 */
export const SIZE_BUDGET_KIB = 8 * 1024;
/**
 * Startup budget, active CPU in `wrangler check startup`: Cloudflare's limit is 1 s. The room above
 * what the starter measures (docs/PERFORMANCE.md, "Budgets") is for a loaded test machine.
 */
export const STARTUP_CPU_BUDGET_MS = 700;

export interface BundleFile {
  name: string;
  kib: number;
  gzipKiB: number;
}

export interface BundleSize {
  /** As wrangler reports "Total Upload: X KiB / gzip: Y KiB". */
  totalKiB: number;
  gzipKiB: number;
  files: BundleFile[];
  /** Prisma's query compiler wasm, gzip, and its share of the gzip total (our own per-file gzip). */
  wasmGzipKiB: number;
  wasmShare: number;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 100) / 100;

export async function wrangler(args: string[], cwd = ROOT): Promise<string> {
  const env = {
    ...process.env,
    CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false",
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
  };
  const { stdout, stderr } = await run(process.execPath, [WRANGLER, ...args], { cwd, env, maxBuffer: 16 << 20 });
  return `${stdout}\n${stderr}`;
}

export async function measureBundle(config = path.join(ROOT, "wrangler.toml")): Promise<BundleSize> {
  const outdir = mkdtempSync(path.join(tmpdir(), "bundle-"));
  try {
    const output = await wrangler(["deploy", "--dry-run", "--outdir", outdir, "--config", config]);
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!match) throw new Error(`wrangler deploy --dry-run printed no "Total Upload" line`);
    // Source maps are written next to the bundle but are not part of the script size.
    const files = readdirSync(outdir)
      .filter((name) => /\.(js|mjs|wasm)$/.test(name))
      .map((name) => {
        const bytes = readFileSync(path.join(outdir, name));
        return {
          name: name.replace(/^[0-9a-f]{40}-/, ""),
          kib: kib(statSync(path.join(outdir, name)).size),
          gzipKiB: kib(gzipSync(bytes).length),
        };
      });
    const wasmGzipKiB = files.filter((f) => f.name.endsWith(".wasm")).reduce((sum, f) => sum + f.gzipKiB, 0);
    const ownGzip = files.reduce((sum, f) => sum + f.gzipKiB, 0);
    return {
      totalKiB: Number(match[1]),
      gzipKiB: Number(match[2]),
      files,
      wasmGzipKiB,
      wasmShare: Math.round((wasmGzipKiB / ownGzip) * 1000) / 1000,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface StartupProfile {
  /** The lines wrangler prints about the profile (window, sampled, active CPU, idle). */
  lines: string[];
  activeMs?: number;
}

/** `wrangler check startup`: the startup CPU profile of the deploy bundle, run locally. */
export async function checkStartup(config = path.join(ROOT, "wrangler.toml")): Promise<StartupProfile> {
  const dir = mkdtempSync(path.join(tmpdir(), "startup-"));
  try {
    const output = await wrangler([
      "check",
      "startup",
      "--config",
      config,
      "--outfile",
      path.join(dir, "startup.cpuprofile"),
    ]);
    const lines = output
      .split("\n")
      .map((line) => line.replace(/^[│\s]+/, "").trim())
      .filter((line) => /^(Profile window|Sampled time|Active|Idle|Samples):/.test(line));
    const active = lines.map((l) => /^Active: ([\d.]+) ms/.exec(l)).find(Boolean);
    return { lines, activeMs: active ? Number(active[1]) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
