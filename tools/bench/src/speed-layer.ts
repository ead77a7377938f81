// `npm run bench:speed-layer [-- --rtt 25 --samples 100 --cold-samples 5 --seconds 5 --out bench/results/speed-layer]`
// What each part of the speed layer (src/db/speed) gains, from one run: the bench Worker's deploy
// bundle in plain workerd with PRISMA_SPEED_LAYER at every part, at every part but one (each in
// turn) and "off", beside the raw twin. Warm p50s interleaved across the variants; throughput at
// one concurrency; a fresh isolate's first request. A part's gain is (without it) − (all).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { onShutdown } from "@starter/local-neon";
import { SPEED_LAYER_PARTS } from "../../../src/lib/speed-layer-parts";
import { type BenchCase, benchCases, type RequestSpec, type Transport } from "./cases";
import { buildColdBundles, type ColdResult, interleavedCold, startPathWorker } from "./cold";
import { createFixtures } from "./fixtures";
import { drain, percentile, sendOk, throughput } from "./measure";
import { startBenchStack } from "./stack";
import type { PlainWorker } from "./workerd";

const { values: flags } = parseArgs({
  options: {
    rtt: { type: "string", default: "25" },
    samples: { type: "string", default: "100" },
    "cold-samples": { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
    out: { type: "string", default: "bench/results/speed-layer" },
  },
});
const [rttMs, samples, coldSamples, seconds, concurrency] = [
  flags.rtt,
  flags.samples,
  flags["cold-samples"],
  flags.seconds,
  flags.concurrency,
].map(Number) as [number, number, number, number, number];
const log = (line: string) => console.log(`[bench:speed-layer] ${line}`);

/** "all", each part left out in turn, and "off": the PRISMA_SPEED_LAYER of each. */
const VARIANTS: Array<{ name: string; value: string }> = [
  { name: "all", value: "on" },
  ...SPEED_LAYER_PARTS.map((part) => ({
    name: `without ${part}`,
    value: SPEED_LAYER_PARTS.filter((p) => p !== part).join(","),
  })),
  { name: "off", value: "off" },
];

/** The cases measured warm; the first of each path also cold and under load. */
const WARM = [
  "GET /users/{id} (http)",
  "GET /users (http)",
  "POST /posts (http)",
  "GET /users/{id} (ws)",
  "POST /posts/{id}/move (ws)",
  "GET /users/{id} (hyperdrive)",
  "POST /posts/{id}/move (hyperdrive)",
  "POST /posts + Idempotency-Key (hyperdrive)",
];
const COLD = ["GET /users/{id} (http)", "POST /posts/{id}/move (ws)", "POST /posts/{id}/move (hyperdrive)"];

const label = (c: BenchCase) => `${c.name} (${c.transport})`;
const round = (ms: number) => Math.round(ms * 10) / 10;

interface CaseRow {
  case: string;
  raw: number;
  /** p50 per variant, ms. */
  p50: Record<string, number>;
}

async function main(): Promise<void> {
  const stack = await startBenchStack(rttMs);
  onShutdown(() => stack.stop());
  const warm: CaseRow[] = [];
  const cold: Array<{ case: string; raw: number; first: Record<string, number> }> = [];
  const load: Array<{ case: string; raw: number; rps: Record<string, number> }> = [];
  try {
    const fixtures = await createFixtures(stack.directUrl);
    const cases = benchCases(fixtures);
    const find = (name: string) => cases.find((c) => label(c) === name) ?? fail(`no bench case ${name}`);
    const bundles = await buildColdBundles();
    try {
      for (const transport of ["http", "ws", "hyperdrive"] as Transport[]) {
        const workers: PlainWorker[] = [];
        try {
          for (const v of VARIANTS) {
            workers.push(await startPathWorker(stack, bundles.warmedUp, transport, { PRISMA_SPEED_LAYER: v.value }));
          }
          for (const name of WARM.filter((n) => n.endsWith(`(${transport})`))) {
            const c = find(name);
            const row = await interleavedWarm(workers, c);
            warm.push(row);
            log(`${name}: raw ${row.raw}; ${VARIANTS.map((v) => `${v.name} ${row.p50[v.name]}`).join(", ")}`);
          }
          const featured = find(WARM.find((n) => n.endsWith(`(${transport})`))!);
          const rps: Record<string, number> = {};
          for (const [i, v] of VARIANTS.entries()) {
            await drain(stack.neon);
            rps[v.name] = (await throughput(workers[i]!.origin, featured.prisma, concurrency, seconds)).rps;
          }
          await drain(stack.neon);
          const raw = (await throughput(workers[0]!.origin, featured.raw, concurrency, seconds)).rps;
          load.push({ case: label(featured), raw, rps });
          log(`${label(featured)} at c=${concurrency}: raw ${raw} rps; ${JSON.stringify(rps)}`);
        } finally {
          await Promise.all(workers.map((w) => w.stop()));
        }
      }
      for (const name of COLD) {
        const c = find(name);
        const sides = Object.fromEntries([
          ["raw", { bundle: bundles.warmedUp, spec: c.raw }],
          ...VARIANTS.map((v) => [
            v.name,
            { bundle: bundles.warmedUp, spec: c.prisma, settings: { PRISMA_SPEED_LAYER: v.value } },
          ]),
        ]);
        const result = (await interleavedCold(stack, sides, coldSamples, c.transport)) as Record<string, ColdResult>;
        const first = Object.fromEntries(VARIANTS.map((v) => [v.name, percentile(result[v.name]!.cold, 50)]));
        cold.push({ case: name, raw: percentile(result.raw!.cold, 50), first });
        log(`${name} cold: raw ${percentile(result.raw!.cold, 50)}; ${JSON.stringify(first)}`);
      }
    } finally {
      bundles.dispose();
    }
  } finally {
    await stack.stop();
  }
  const out = path.resolve(flags.out);
  mkdirSync(out, { recursive: true });
  const results = { date: new Date().toISOString(), rttMs, samples, coldSamples, concurrency, warm, cold, load };
  writeFileSync(path.join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(out, "results.md"), report(results));
  log(`wrote ${path.join(out, "results.md")}`);
}

/** Raw and every variant in turn, `samples` rounds, on each variant's own isolate. */
async function interleavedWarm(workers: PlainWorker[], c: BenchCase): Promise<CaseRow> {
  const sides: Array<[string, string, RequestSpec]> = [
    ["raw", workers[0]!.origin, c.raw],
    ...VARIANTS.map((v, i): [string, string, RequestSpec] => [v.name, workers[i]!.origin, c.prisma]),
  ];
  const times = new Map(sides.map(([name]) => [name, [] as number[]]));
  for (let i = 0; i < 5; i++) for (const [, origin, spec] of sides) await sendOk(origin, spec);
  for (let i = 0; i < samples; i++) {
    for (const [name, origin, spec] of sides) times.get(name)!.push(await sendOk(origin, spec));
  }
  const p50 = (name: string) => round(percentile(times.get(name)!, 50));
  return { case: label(c), raw: p50("raw"), p50: Object.fromEntries(VARIANTS.map((v) => [v.name, p50(v.name)])) };
}

function report(r: {
  date: string;
  rttMs: number;
  samples: number;
  coldSamples: number;
  concurrency: number;
  warm: CaseRow[];
  cold: Array<{ case: string; raw: number; first: Record<string, number> }>;
  load: Array<{ case: string; raw: number; rps: Record<string, number> }>;
}): string {
  const names = VARIANTS.map((v) => v.name);
  const header = (first: string) =>
    `| ${first} | raw | ${names.join(" | ")} |\n|---|---|${names.map(() => "---").join("|")}|`;
  const cell = (value: number, all: number, name: string) =>
    name === "all" ? `${round(value)}` : `${round(value)} (${value - all >= 0 ? "+" : ""}${round(value - all)})`;
  const lines = [
    `# The speed layer, part by part (${r.date})`,
    "",
    `\`npm run bench:speed-layer\`: RTT ${r.rttMs} ms, the deploy bundle in plain workerd, one isolate per variant.`,
    'Each column is PRISMA_SPEED_LAYER: "all" parts, all but one, or "off" (stock Prisma). In brackets:',
    'the difference to "all", which is that part\'s gain.',
    "",
    `## Warm p50 (ms, ${r.samples} interleaved samples per variant)`,
    "",
    header("case"),
    ...r.warm.map(
      (row) => `| ${row.case} | ${row.raw} | ${names.map((n) => cell(row.p50[n]!, row.p50.all!, n)).join(" | ")} |`,
    ),
    "",
    `## A fresh isolate's first request, startup done (ms, median of ${r.coldSamples})`,
    "",
    header("case"),
    ...r.cold.map(
      (row) => `| ${row.case} | ${row.raw} | ${names.map((n) => cell(row.first[n]!, row.first.all!, n)).join(" | ")} |`,
    ),
    "",
    `## Throughput at c = ${r.concurrency} (req/s; in brackets the difference to "all")`,
    "",
    "Each variant ran its throughput in turn on a shared machine: read these as noisy (the warm p50s are interleaved).",
    "",
    header("case"),
    ...r.load.map(
      (row) => `| ${row.case} | ${row.raw} | ${names.map((n) => cell(row.rps[n]!, row.rps.all!, n)).join(" | ")} |`,
    ),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

function fail(message: string): never {
  throw new Error(message);
}

main().catch((error: unknown) => {
  console.error(`[bench:speed-layer] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
