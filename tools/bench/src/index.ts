// `npm run bench [-- --rtt 25,80 --samples 40 --seconds 5 --cold-samples 3 --concurrency 1,16,64 --out bench/results]`
// Starts the local stack with an injected Worker↔Neon round-trip time, runs the bench Worker's
// deploy bundle in plain workerd on each of the three paths, and writes
// bench/results/{results.json,results.md,chart.svg}. The first RTT gets every measurement
// (throughput and cold starts too); the others flights and latency. One line per step; one error line.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type LocalStack, onShutdown } from "@starter/local-neon";
import { checkStartup, measureBundle } from "./bundle";
import { type BenchCase, benchCases, TRANSPORTS, type Transport } from "./cases";
import {
  buildColdBundles,
  type ColdResult,
  coldBreakdown,
  interleavedCold,
  medianTimings,
  startPathWorker,
} from "./cold";
import { createFixtures } from "./fixtures";
import { drain, flightsPerRequest, interleavedLatencies, percentile, sendOk, throughput } from "./measure";
import { type BenchResults, type CaseResult, type RttRun, writeReport } from "./report";
import { startBenchStack } from "./stack";
import type { PlainWorker } from "./workerd";

const USAGE =
  "usage: npm run bench -- [--rtt 25,80,0] [--samples 40] [--seconds 5] [--cold-samples 3] [--concurrency 1,16,64] [--only 'GET /users'] [--out bench/results]";

/** Flags as numbers; a bad flag is one plain line and exit 2, not a stack trace. */
function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        rtt: { type: "string", default: process.env.BENCH_RTT_MS ?? "25,80,0" },
        samples: { type: "string", default: "40" },
        seconds: { type: "string", default: "5" },
        "cold-samples": { type: "string", default: "3" },
        concurrency: { type: "string", default: "1,16,64" },
        out: { type: "string", default: "bench/results" },
        only: { type: "string", default: "" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const flags = {
      rtts: values.rtt.split(",").map(Number),
      samples: Number(values.samples),
      seconds: Number(values.seconds),
      coldSamples: Number(values["cold-samples"]),
      concurrencies: values.concurrency.split(",").map(Number),
      out: values.out,
      only: values.only,
    };
    const numbers = [...flags.rtts, flags.samples, flags.seconds, flags.coldSamples, ...flags.concurrencies];
    if (!numbers.every((n) => Number.isFinite(n) && n >= 0)) throw new Error("numeric flags need numbers ≥ 0");
    return flags;
  } catch (error) {
    console.error(`[bench] error: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { rtts, samples, seconds, coldSamples, concurrencies, out, only } = parseFlags();
const log = (line: string) => console.log(`[bench] ${line}`);

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `rtt ${rtts.join(", ")} ms, ${samples} sequential samples per variant, ${seconds} s per throughput run, ${coldSamples} cold samples`,
  );
  const stack = await startBenchStack(rtts[0]!);
  onShutdown(() => stack.stop()); // Ctrl-C leaves no database or proxy behind
  log(`database: ${stack.kind}; local Neon on ${stack.neon.host}:${stack.neon.port}`);
  const runs: RttRun[] = [];
  let breakdown: BenchResults["coldBreakdown"];
  let bundle: BenchResults["bundle"];
  let startup: BenchResults["startup"];
  try {
    // First, so that an app without the demo's tables stops here, in one line.
    const fixtures = await createFixtures(stack.directUrl);
    bundle = await measureBundle();
    log(`bundle: ${bundle.totalKiB} KiB, gzip ${bundle.gzipKiB} KiB (wasm ${bundle.wasmGzipKiB.toFixed(0)} KiB gzip)`);
    startup = await checkStartup();
    log(`wrangler check startup: ${startup.lines.join("; ") || "no profile lines"}`);
    // --only: the cases whose "endpoint (transport)" label contains it, e.g. "(ws)" or "GET /users".
    const cases = benchCases(fixtures).filter((c) => label(c).includes(only));
    if (cases.length === 0) throw new Error(`no case matches --only ${JSON.stringify(only)}`);
    log("building the bench Worker's deploy bundles for plain workerd");
    const bundles = await buildColdBundles();
    try {
      // One warm isolate per path, the deploy bundle in plain workerd (no dev server around it).
      const workers = {} as Record<Transport, PlainWorker>;
      try {
        for (const t of TRANSPORTS) workers[t] = await startPathWorker(stack, bundles.warmedUp, t);
        for (const [i, rttMs] of rtts.entries()) {
          stack.neon.setFaults({ latencyMs: rttMs });
          log(`RTT ${rttMs} ms`);
          const run: RttRun = { rttMs, cases: [] };
          for (const c of cases)
            run.cases.push(await measureCase(workers[c.transport].origin, stack, c, rttMs, i === 0));
          runs.push(run);
        }
      } finally {
        await Promise.all(Object.values(workers).map((w) => w.stop()));
      }
      stack.neon.setFaults({ latencyMs: rtts[0]! });
      log(`cold starts at RTT ${rtts[0]} ms: a new workerd process per sample`);
      for (const result of runs[0]!.cases) {
        const c = cases.find((x) => x.name === result.name && x.transport === result.transport)!;
        const warmedUp = { bundle: bundles.warmedUp, withStartup: c.featured };
        result.cold = await interleavedCold(
          stack,
          {
            prisma: { ...warmedUp, spec: c.prisma },
            raw: { ...warmedUp, spec: c.raw },
            ...(c.featured
              ? { prismaWithoutWarmUp: { bundle: bundles.withoutWarmUp, spec: c.prisma, withStartup: true } }
              : {}),
          },
          coldSamples,
          c.transport,
        );
        const p50 = (r: ColdResult) => percentile(r.cold, 50);
        log(`${label(c)}: cold p50 prisma ${p50(result.cold.prisma)} ms, raw ${p50(result.cold.raw)} ms`);
      }
      const raw = await coldBreakdown(stack, bundles, fixtures.userId, coldSamples);
      breakdown = {
        compiler: medianTimings(raw.compiler),
        prisma: medianTimings(raw.prisma),
        prismaWarmedUp: medianTimings(raw.prismaWarmedUp),
        samples: raw,
      };
      log(`cold breakdown (median ms): ${JSON.stringify(breakdown)}`.replace(/,"samples".*$/, "}"));
    } finally {
      bundles.dispose();
    }
  } finally {
    await stack.stop();
  }

  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    settings: { rtts, samples, seconds, coldSamples, concurrencies, database: stack.kind },
    bundle,
    startup,
    runs,
    coldBreakdown: breakdown,
    durationS: Math.round((Date.now() - started) / 1000),
  };
  const written = writeReport(results, path.resolve(out));
  log(`wrote ${written.join(", ")} in ${results.durationS} s`);
}

const label = (c: BenchCase) => `${c.name} (${c.transport})`;

async function measureCase(
  origin: string,
  stack: LocalStack,
  c: BenchCase,
  rttMs: number,
  full: boolean,
): Promise<CaseResult> {
  await drain(stack.neon);
  const variants = [c.prisma, c.raw, ...(c.drizzle ? [c.drizzle] : [])];
  for (let i = 0; i < 3; i++) for (const v of variants) await sendOk(origin, v);
  const flights = {
    prisma: await flightsPerRequest(stack.neon, origin, c.prisma, 5),
    raw: await flightsPerRequest(stack.neon, origin, c.raw, 5),
    ...(c.drizzle ? { drizzle: await flightsPerRequest(stack.neon, origin, c.drizzle, 5) } : {}),
  };
  const [lp, lr, ld] = await interleavedLatencies(origin, variants, samples);
  const p = (l: number[]) => ({ p50: percentile(l, 50), p95: percentile(l, 95) });
  const latency = { prisma: p(lp!), raw: p(lr!), ...(ld ? { drizzle: p(ld) } : {}) };
  let tput: CaseResult["throughput"];
  if (full && c.featured) {
    tput = { prisma: [], raw: [] };
    for (const n of concurrencies) {
      tput.prisma.push(await throughput(origin, c.prisma, n, seconds));
      await drain(stack.neon);
      tput.raw.push(await throughput(origin, c.raw, n, seconds));
      await drain(stack.neon);
    }
  }
  const ratio = Math.round((latency.prisma.p50 / latency.raw.p50) * 100) / 100;
  const delta = (latency.prisma.p50 - latency.raw.p50).toFixed(1);
  log(
    `${label(c)}: flights prisma ${flights.prisma.flights} raw ${flights.raw.flights} (min ${c.minFlights}, floor ${c.minFlights * rttMs} ms); ` +
      `p50 ${latency.prisma.p50}/${latency.raw.p50}${latency.drizzle ? `/${latency.drizzle.p50} (drizzle)` : ""} ms (Δ ${delta}, ×${ratio})` +
      (tput
        ? `; rps@${concurrencies.join("/")} ${tput.prisma.map((t) => t.rps).join("/")} vs ${tput.raw.map((t) => t.rps).join("/")}`
        : ""),
  );
  return {
    name: c.name,
    transport: c.transport,
    minFlights: c.minFlights,
    minWhy: c.minWhy,
    floorMs: c.minFlights * rttMs,
    flights,
    latency,
    ratio,
    throughput: tput,
  };
}

main().catch((error: unknown) => {
  console.error(`[bench] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
