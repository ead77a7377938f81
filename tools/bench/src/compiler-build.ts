// `npm run bench:compiler-build [-- --rounds 20 --warm 300 --out bench/results/compiler-build]`
// Prisma's two query compiler builds side by side: "small" (prisma/schema.prisma) against "fast"
// (Prisma's default), each as the production entry (src/index.ts) deployed by `wrangler deploy
// --dry-run` and run in plain workerd at RTT 0 (the builds differ in CPU, not in flights):
// - cold: a fresh isolate's first GET /users/{id}, its startup done, and another sent at once (so
//   it waits for startup); the builds alternate, round after round;
// - warm: one isolate per build, requests interleaved;
// - startup CPU (`wrangler check startup`, alternated) and the upload size.
// The fast client is generated into node_modules/.cache; nothing in the project changes.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { onShutdown } from "@starter/local-neon";
import { type BundleSize, checkStartup, measureBundle } from "./bundle";
import type { RequestSpec } from "./cases";
import { type ColdResult, coldVsWarm, startPathWorker } from "./cold";
import { createFixtures } from "./fixtures";
import { percentile, sendOk } from "./measure";
import { BENCH_AUTH, startBenchStack } from "./stack";
import { buildDeployBundle, type DeployBundle } from "./workerd";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const BUILDS = ["small", "fast"] as const;
type Build = (typeof BUILDS)[number];
const log = (line: string) => console.log(`[compiler-build] ${line}`);

function flags() {
  try {
    const { values } = parseArgs({
      options: {
        rounds: { type: "string", default: "20" },
        warm: { type: "string", default: "300" },
        out: { type: "string", default: "bench/results/compiler-build" },
      },
    });
    const rounds = Number(values.rounds);
    const warm = Number(values.warm);
    if (!(rounds >= 1 && warm >= 1)) throw new Error("--rounds and --warm need numbers ≥ 1");
    return { rounds, warm, out: values.out };
  } catch (error) {
    console.error(`[compiler-build] error: ${(error as Error).message}`);
    process.exit(2);
  }
}

/** A wrangler.toml whose Worker imports a client generated with compilerBuild = "fast". */
function fastConfig(dir: string): string {
  const schema = readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8")
    .replace(/^generator node \{[\s\S]*?^\}\n/m, "") // only the Worker's client
    .replace('compilerBuild = "small"', 'compilerBuild = "fast"')
    .replace('output        = "../src/generated/prisma"', 'output        = "./prisma-fast"');
  if (!schema.includes('compilerBuild = "fast"'))
    throw new Error('prisma/schema.prisma has no compilerBuild = "small" to flip');
  writeFileSync(path.join(dir, "schema.prisma"), schema);
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
      "tools/prisma-offline/src/cli.ts",
      "generate",
      "--schema",
      path.join(dir, "schema.prisma"),
    ],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  // Absolute paths: wrangler resolves [alias] targets from the working directory.
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = "/m, `main = "${ROOT}/`)
    .replace(/"\.\/(src|dist)\//g, `"${ROOT}/$1/`)
    .replace(/^\[alias\]$/m, `[alias]\n"../generated/prisma/client" = "${path.join(dir, "prisma-fast/client.ts")}"`);
  const config = path.join(dir, "wrangler.toml");
  writeFileSync(config, toml);
  return config;
}

const stats = (xs: number[]) => ({
  n: xs.length,
  p25: percentile(xs, 25),
  p50: percentile(xs, 50),
  p75: percentile(xs, 75),
  min: Math.round(Math.min(...xs) * 10) / 10,
  max: Math.round(Math.max(...xs) * 10) / 10,
});
type Stats = ReturnType<typeof stats>;

async function main(): Promise<void> {
  const { rounds, warm, out } = flags();
  const dir = path.join(ROOT, "node_modules/.cache/compiler-build");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configs: Record<Build, string> = { small: path.join(ROOT, "wrangler.toml"), fast: fastConfig(dir) };
  log("generated the fast client; building both deploy bundles");
  const bundles = {} as Record<Build, DeployBundle>;
  const sizes = {} as Record<Build, BundleSize>;
  for (const b of BUILDS) {
    bundles[b] = await buildDeployBundle("src/index.ts", configs[b]);
    sizes[b] = await measureBundle(configs[b]);
  }
  const startup: Record<Build, number[]> = { small: [], fast: [] };
  for (let i = 0; i < 3; i++) for (const b of BUILDS) startup[b].push((await checkStartup(configs[b])).activeMs ?? NaN);
  log(`startup CPU: ${JSON.stringify(startup)}`);

  const stack = await startBenchStack(0);
  onShutdown(() => stack.stop());
  const cold: Record<Build, ColdResult> = {
    small: { cold: [], coldWithStartup: [], warm: [] },
    fast: { cold: [], coldWithStartup: [], warm: [] },
  };
  const warmP: Record<Build, number[]> = { small: [], fast: [] };
  try {
    const f = await createFixtures(stack.directUrl);
    const spec: RequestSpec = { method: "GET", path: `/users/${f.userId}`, headers: BENCH_AUTH };
    for (let r = 0; r < rounds; r++) {
      for (const b of r % 2 ? [...BUILDS].reverse() : BUILDS) {
        const one = await coldVsWarm(stack, bundles[b], spec, 1, "http", { withStartup: true });
        for (const k of ["cold", "coldWithStartup", "warm"] as const) cold[b][k].push(...one[k]);
      }
      log(`round ${r + 1}/${rounds}: cold small ${cold.small.cold.at(-1)} ms, fast ${cold.fast.cold.at(-1)} ms`);
    }
    const workers = await Promise.all(BUILDS.map((b) => startPathWorker(stack, bundles[b], "http")));
    try {
      const origins = workers.map((w) => w.origin);
      for (let i = 0; i < 20; i++) for (const o of origins) await sendOk(o, spec);
      // Interleaved: one request to each build in turn, so drift hits both alike.
      for (let i = 0; i < warm; i++) {
        for (const [j, b] of BUILDS.entries()) warmP[b].push(await sendOk(origins[j]!, spec));
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  } finally {
    await stack.stop();
    for (const b of BUILDS) bundles[b].dispose();
    rmSync(dir, { recursive: true, force: true });
  }

  const rows: Array<[string, Record<Build, Stats>]> = [
    ["cold first request, startup done (ms)", { small: stats(cold.small.cold), fast: stats(cold.fast.cold) }],
    [
      "cold first request, sent at once (ms)",
      { small: stats(cold.small.coldWithStartup), fast: stats(cold.fast.coldWithStartup) },
    ],
    ["warm request (ms)", { small: stats(warmP.small), fast: stats(warmP.fast) }],
    ["startup CPU, wrangler check startup (ms)", { small: stats(startup.small), fast: stats(startup.fast) }],
  ];
  const fmt = (s: Stats) => `${s.p50} (IQR ${s.p25}–${s.p75}, ${s.min}–${s.max}, n=${s.n})`;
  const md = [
    `# compilerBuild: small against fast`,
    ``,
    `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · \`npm run bench:compiler-build -- --rounds ${rounds} --warm ${warm}\` · GET /users/{id} over Neon HTTP, RTT 0, the production entry in plain workerd. Median (interquartile range, min–max, samples).`,
    ``,
    `| | small | fast | fast − small (medians) |`,
    `|---|---|---|---|`,
    ...rows.map(
      ([name, r]) => `| ${name} | ${fmt(r.small)} | ${fmt(r.fast)} | ${(r.fast.p50 - r.small.p50).toFixed(1)} |`,
    ),
    `| upload (KiB, gzip KiB) | ${sizes.small.totalKiB}, ${sizes.small.gzipKiB} | ${sizes.fast.totalKiB}, ${sizes.fast.gzipKiB} | ${(sizes.fast.totalKiB - sizes.small.totalKiB).toFixed(0)}, ${(sizes.fast.gzipKiB - sizes.small.gzipKiB).toFixed(0)} |`,
    ``,
  ].join("\n");
  mkdirSync(path.resolve(ROOT, out), { recursive: true });
  writeFileSync(path.resolve(ROOT, out, "results.md"), md);
  writeFileSync(
    path.resolve(ROOT, out, "results.json"),
    `${JSON.stringify({ date: new Date().toISOString(), rounds, warm, cold, warmP, startup, sizes }, null, 2)}\n`,
  );
  console.log(md);
}

main().catch((error: unknown) => {
  console.error(`[compiler-build] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
