// `npm run bench [-- --rtt 25 --samples 40 --seconds 5 --cold-samples 3 --concurrency 1,16,64 --out bench/results]`
// Starts the local stack with an injected Worker↔Neon round-trip time, runs the bench Worker, and
// writes bench/results/{results.json,results.md,chart.svg}. One line per step; one error line.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type LocalStack, onShutdown } from "@starter/local-neon";
import { checkStartup, measureBundle } from "./bundle";
import { type BenchCase, benchCases } from "./cases";
import { buildColdBundles, type ColdResult, coldBreakdown, coldVsWarm, medianTimings } from "./cold";
import { drain, flightsPerRequest, interleavedLatencies, percentile, sendOk, throughput } from "./measure";
import { type BenchResults, type CaseResult, writeReport } from "./report";
import { BENCH_TOKEN, startBenchStack, startBenchWorker } from "./stack";

const USAGE =
  "usage: npm run bench -- [--rtt 25] [--samples 40] [--seconds 5] [--cold-samples 3] [--concurrency 1,16,64] [--out bench/results]";

/** Flags as numbers; a bad flag is one plain line and exit 2, not a stack trace. */
function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        rtt: { type: "string", default: process.env.BENCH_RTT_MS ?? "25" },
        samples: { type: "string", default: "40" },
        seconds: { type: "string", default: "5" },
        "cold-samples": { type: "string", default: "3" },
        concurrency: { type: "string", default: "1,16,64" },
        out: { type: "string", default: "bench/results" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const flags = {
      rttMs: Number(values.rtt),
      samples: Number(values.samples),
      seconds: Number(values.seconds),
      coldSamples: Number(values["cold-samples"]),
      concurrencies: values.concurrency.split(",").map(Number),
      out: values.out,
    };
    const numbers = [flags.rttMs, flags.samples, flags.seconds, flags.coldSamples, ...flags.concurrencies];
    if (!numbers.every((n) => Number.isFinite(n) && n >= 0)) throw new Error("numeric flags need numbers ≥ 0");
    return flags;
  } catch (error) {
    console.error(`[bench] error: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { rttMs, samples, seconds, coldSamples, concurrencies, out } = parseFlags();
const log = (line: string) => console.log(`[bench] ${line}`);

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `rtt ${rttMs} ms, ${samples} sequential samples per variant, ${seconds} s per throughput run, ${coldSamples} cold samples`,
  );
  const bundle = await measureBundle();
  log(`bundle: ${bundle.totalKiB} KiB, gzip ${bundle.gzipKiB} KiB (wasm ${bundle.wasmGzipKiB.toFixed(0)} KiB gzip)`);
  const startup = await checkStartup();
  log(`wrangler check startup: ${startup.lines.join("; ") || "no profile lines"}`);

  const stack = await startBenchStack(rttMs);
  onShutdown(() => stack.stop()); // Ctrl-C leaves no database or proxy behind
  log(`database: ${stack.kind}; local Neon on ${stack.neon.host}:${stack.neon.port} with latencyMs ${rttMs}`);
  const cases: CaseResult[] = [];
  let breakdown: BenchResults["coldBreakdown"];
  try {
    const worker = await startBenchWorker(stack);
    // The same bench Worker with HYPERDRIVE bound: every app route takes the Hyperdrive path.
    const hyperdriveWorker = await startBenchWorker(stack, undefined, { hyperdrive: true });
    let userId: string;
    try {
      const res = await fetch(`${worker.origin}/users`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${BENCH_TOKEN}` },
        body: JSON.stringify({ email: `bench-author-${Date.now()}@example.test`, name: "Bench" }),
      });
      if (res.status !== 201) throw new Error(`creating the bench user answered ${res.status}`);
      userId = ((await res.json()) as { id: string }).id;
      for (const c of benchCases({ userId })) {
        const origin = c.transport === "hyperdrive" ? hyperdriveWorker.origin : worker.origin;
        cases.push(await measureCase(origin, stack, c));
      }
    } finally {
      await worker.dispose();
      await hyperdriveWorker.dispose();
    }
    log("cold starts: building the deploy bundles for plain workerd");
    const bundles = await buildColdBundles();
    try {
      for (const result of cases) {
        const c = benchCases({ userId }).find((x) => x.name === result.name && x.transport === result.transport)!;
        if (!c.cold) continue;
        const on = { hyperdrive: c.transport === "hyperdrive" };
        result.cold = {
          prisma: await coldVsWarm(stack, bundles.warmedUp, c.prisma, coldSamples, on),
          prismaWithoutWarmUp: await coldVsWarm(stack, bundles.withoutWarmUp, c.prisma, coldSamples, on),
          raw: await coldVsWarm(stack, bundles.warmedUp, c.raw, coldSamples, on),
        };
        const p50 = (r: ColdResult) => `${percentile(r.cold, 50)} (${percentile(r.coldWithStartup, 50)})`;
        log(
          `${label(c)}: cold p50 (waiting for startup) prisma ${p50(result.cold.prisma)} ms, without warm-up ${p50(result.cold.prismaWithoutWarmUp)}, raw ${p50(result.cold.raw)}`,
        );
      }
      const raw = await coldBreakdown(stack, bundles, userId, coldSamples);
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
    settings: { rttMs, samples, seconds, coldSamples, concurrencies, database: stack.kind },
    bundle,
    startup,
    cases,
    coldBreakdown: breakdown,
    durationS: Math.round((Date.now() - started) / 1000),
  };
  const written = writeReport(results, path.resolve(out));
  log(`wrote ${written.join(", ")} in ${results.durationS} s`);
}

const label = (c: BenchCase) => `${c.name} (${c.transport})`;

async function measureCase(origin: string, stack: LocalStack, c: BenchCase): Promise<CaseResult> {
  await drain(stack.neon);
  for (let i = 0; i < 3; i++) {
    await sendOk(origin, c.prisma);
    await sendOk(origin, c.raw);
  }
  const flights = {
    prisma: await flightsPerRequest(stack.neon, origin, c.prisma, 5),
    raw: await flightsPerRequest(stack.neon, origin, c.raw, 5),
  };
  const [lp, lr] = await interleavedLatencies(origin, c.prisma, c.raw, samples);
  const latency = {
    prisma: { p50: percentile(lp, 50), p95: percentile(lp, 95) },
    raw: { p50: percentile(lr, 50), p95: percentile(lr, 95) },
  };
  const tput: CaseResult["throughput"] = { prisma: [], raw: [] };
  for (const n of concurrencies) {
    tput.prisma.push(await throughput(origin, c.prisma, n, seconds));
    await drain(stack.neon);
    tput.raw.push(await throughput(origin, c.raw, n, seconds));
    await drain(stack.neon);
  }
  const ratio = Math.round((latency.prisma.p50 / latency.raw.p50) * 100) / 100;
  log(
    `${label(c)}: flights prisma ${flights.prisma.flights} raw ${flights.raw.flights} (min ${c.minFlights}); ` +
      `p50 ${latency.prisma.p50}/${latency.raw.p50} ms (×${ratio}); rps@${concurrencies.join("/")} ` +
      `${tput.prisma.map((t) => t.rps).join("/")} vs ${tput.raw.map((t) => t.rps).join("/")}`,
  );
  return {
    name: c.name,
    transport: c.transport,
    minFlights: c.minFlights,
    minWhy: c.minWhy,
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
