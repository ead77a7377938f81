// Writes the bench results: results.json (everything), results.md (the tables) and chart.svg
// (warm p50, Prisma against the raw driver, per endpoint).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type BundleSize, SIZE_BUDGET_KIB, STARTUP_CPU_BUDGET_MS, type StartupProfile } from "./bundle";
import { TRANSPORTS, type Transport } from "./cases";
import type { ColdBreakdown, ColdResult, Timings } from "./cold";
import type { Flights, Throughput } from "./measure";
import { percentile } from "./measure";

type Latency = { p50: number; p95: number };

export interface CaseResult {
  name: string;
  transport: Transport;
  minFlights: number;
  minWhy: string;
  /** minFlights × RTT: what no code can go below. */
  floorMs: number;
  flights: { prisma: Flights; raw: Flights; drizzle?: Flights };
  latency: { prisma: Latency; raw: Latency; drizzle?: Latency };
  /** Prisma p50 / raw p50, same run. */
  ratio: number;
  /** Featured cases at the first RTT. */
  throughput?: { prisma: Throughput[]; raw: Throughput[] };
  /** At the first RTT: Prisma as production starts (query compiler warmed up at module scope), raw, and (featured) Prisma without the warm-up. */
  cold?: { prisma: ColdResult; raw: ColdResult; prismaWithoutWarmUp?: ColdResult };
}

export interface RttRun {
  rttMs: number;
  cases: CaseResult[];
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; platform: string };
  settings: {
    rtts: number[];
    samples: number;
    seconds: number;
    coldSamples: number;
    concurrencies: number[];
    database: string;
  };
  bundle: BundleSize;
  startup: StartupProfile;
  runs: RttRun[];
  coldBreakdown?: { compiler: Timings; prisma: Timings; prismaWarmedUp: Timings; samples: ColdBreakdown };
  durationS: number;
}

const flights = (f: Flights) =>
  `${f.flights} (${f.pgRoundTrips} + ${f.wsUpgrades}${f.tcpSetup ? ` − ${f.tcpSetup}` : ""})`;
const rps = (t: Throughput[]) => t.map((x) => `${Math.round(x.rps)}${x.non2xx + x.errors ? `*` : ""}`).join(" / ");
const cold = (c: ColdResult | undefined) =>
  c
    ? `${percentile(c.cold, 50)}${c.coldWithStartup.length ? ` (${percentile(c.coldWithStartup, 50)})` : ""} / ${percentile(c.warm, 50)}`
    : "–";
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(1)}`;
const TITLE: Record<Transport, string> = { http: "Neon HTTP", ws: "Neon WebSocket", hyperdrive: "Hyperdrive" };

/** Endpoints in the order the cases list them. */
const endpoints = (cases: CaseResult[]) => [...new Set(cases.map((c) => c.name))];

/** The three paths side by side: flights · p50 / p95 · floor · Δ raw, one row per endpoint. */
function sideBySide(run: RttRun): string[] {
  const cell = (c: CaseResult | undefined) =>
    c
      ? `${c.flights.prisma.flights} · ${c.latency.prisma.p50} / ${c.latency.prisma.p95} · ${c.floorMs} · ${signed(c.latency.prisma.p50 - c.latency.raw.p50)}` +
        (c.latency.drizzle ? ` (drizzle ${signed(c.latency.drizzle.p50 - c.latency.raw.p50)})` : "")
      : "needs a transaction: WebSocket";
  return [
    `## RTT ${run.rttMs} ms: the three paths side by side`,
    ``,
    `Each cell: flights · Prisma p50 / p95 (ms) · floor = minimum flights × RTT (ms) · Δ = Prisma p50 − raw p50 (ms; for reads also drizzle − raw).`,
    ``,
    `| Endpoint | ${TRANSPORTS.map((t) => TITLE[t]).join(" | ")} |`,
    `|---|---|---|---|`,
    ...endpoints(run.cases).map(
      (name) =>
        `| ${name} | ${TRANSPORTS.map((t) => cell(run.cases.find((c) => c.name === name && c.transport === t))).join(" | ")} |`,
    ),
    ``,
  ];
}

function detail(run: RttRun): string[] {
  return [
    `## RTT ${run.rttMs} ms: every case`,
    ``,
    `| Endpoint | Transport | Flights Prisma | Flights raw | Minimum | Floor (ms) | p50 / p95 Prisma | p50 / p95 raw | p50 / p95 drizzle | Ratio | Δ p50 |`,
    `|---|---|---|---|---|---|---|---|---|---|---|`,
    ...run.cases.map(
      (c) =>
        `| ${c.name} | ${c.transport} | ${flights(c.flights.prisma)} | ${flights(c.flights.raw)} | ${c.minFlights} | ${c.floorMs} | ${c.latency.prisma.p50} / ${c.latency.prisma.p95} | ` +
        `${c.latency.raw.p50} / ${c.latency.raw.p95} | ${c.latency.drizzle ? `${c.latency.drizzle.p50} / ${c.latency.drizzle.p95}` : "–"} | ${c.ratio.toFixed(2)} | ${(c.latency.prisma.p50 - c.latency.raw.p50).toFixed(1)} |`,
    ),
    ``,
  ];
}

function coldTable(run: RttRun): string[] {
  const withCold = run.cases.filter((c) => c.cold);
  if (withCold.length === 0) return [];
  return [
    `## Cold starts at RTT ${run.rttMs} ms`,
    ``,
    `First request of a fresh isolate (a new plain workerd process running the deploy bundle, its startup done; in brackets: sent as soon as workerd listens, so it waits for startup) / median of its next 5 requests; medians over processes, ms. Δ = Prisma cold − raw cold.`,
    ``,
    `| Endpoint | Transport | Prisma cold / warm | raw cold / warm | Δ cold | Prisma without warm-up |`,
    `|---|---|---|---|---|---|`,
    ...withCold.map(
      (c) =>
        `| ${c.name} | ${c.transport} | ${cold(c.cold!.prisma)} | ${cold(c.cold!.raw)} | ${signed(percentile(c.cold!.prisma.cold, 50) - percentile(c.cold!.raw.cold, 50))} | ${cold(c.cold!.prismaWithoutWarmUp)} |`,
    ),
    ``,
  ];
}

function throughputTable(run: RttRun, concurrencies: number[]): string[] {
  const withT = run.cases.filter((c) => c.throughput);
  if (withT.length === 0) return [];
  const failed = withT.some((c) =>
    [...c.throughput!.prisma, ...c.throughput!.raw].some((t) => t.non2xx + t.errors > 0),
  );
  return [
    `## Throughput at RTT ${run.rttMs} ms (req/s, c = ${concurrencies.join(" / ")})`,
    ``,
    `| Endpoint | Transport | Prisma | raw |`,
    `|---|---|---|---|`,
    ...withT.map((c) => `| ${c.name} | ${c.transport} | ${rps(c.throughput!.prisma)} | ${rps(c.throughput!.raw)} |`),
    ``,
    ...(failed ? [`\\* some requests failed or were not 2xx in that run (see results.json).`, ``] : []),
  ];
}

export function markdown(r: BenchResults): string {
  const s = r.settings;
  const first = r.runs[0]!;
  const lines = [
    `# Bench results`,
    ``,
    `${r.date.slice(0, 16).replace("T", " ")} UTC · injected RTT ${s.rtts.join(" and ")} ms per flight · ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGiB} GiB, Node ${r.machine.node} · database: ${s.database} · ` +
      `${s.samples} sequential samples per variant (interleaved) · ${s.seconds} s per throughput run · ${s.coldSamples} fresh isolates per cold figure. Generated by \`npm run bench\`; see docs/PERFORMANCE.md.`,
    ``,
    `Every figure is the deploy bundle (\`wrangler deploy --dry-run\` of the bench Worker) in plain workerd, one isolate per path, no dev server around it. ` +
      `Flights per request = Postgres round trips + WebSocket upgrades − TCP setup flights (Hyperdrive keeps a connection's startup and password inside Cloudflare's data centre, so the local Neon injects no RTT into them and they are not counted), from the local Neon's counters. ` +
      `"raw" = the same statements with the driver directly (\`@neondatabase/serverless\`; \`pg\` on the HYPERDRIVE binding for Hyperdrive), "drizzle" = drizzle-orm on the same driver, in the same Worker, same run. Ratio = Prisma p50 / raw p50; Δ = Prisma p50 − raw p50. ` +
      `Neon WebSocket = the app with NEON_STATEMENT_TRANSPORT=ws (statements over WebSocket too); its transactions are the app's own path.`,
    ``,
    ...r.runs.flatMap(sideBySide),
    ...coldTable(first),
    ...throughputTable(first, s.concurrencies),
    ...r.runs.flatMap(detail),
    `Minimum flights: ${[...new Map(first.cases.map((c) => [`${c.transport}: ${c.minWhy}`, c.minFlights])).entries()].map(([why, n]) => `${n} = ${why}`).join("; ")}.`,
    ``,
  ];
  if (r.coldBreakdown) {
    lines.push(
      `## First query of an isolate, step by step (median ms, the Worker's own clock)`,
      ``,
      `| Step | ms |`,
      `|---|---|`,
    );
    for (const [k, v] of Object.entries(r.coldBreakdown.compiler)) lines.push(`| compiler: ${k} | ${v} |`);
    for (const [k, v] of Object.entries(r.coldBreakdown.prisma))
      lines.push(`| prisma (http), no warm-up: ${k} | ${v} |`);
    for (const [k, v] of Object.entries(r.coldBreakdown.prismaWarmedUp))
      lines.push(`| prisma (http), warmed up at startup: ${k} | ${v} |`);
    lines.push(``);
  }
  lines.push(
    `## Bundle (wrangler deploy --dry-run)`,
    ``,
    `Total **${r.bundle.totalKiB} KiB** (budget ${SIZE_BUDGET_KIB}; Cloudflare's cap 64 MiB), gzip ${r.bundle.gzipKiB} KiB. Prisma's query compiler wasm: ${r.bundle.wasmGzipKiB.toFixed(1)} KiB gzip = ${Math.round(r.bundle.wasmShare * 100)}% of the gzip total.`,
    ``,
    `| File | KiB | gzip KiB |`,
    `|---|---|---|`,
    ...r.bundle.files.map((f) => `| ${f.name} | ${f.kib} | ${f.gzipKiB} |`),
    ``,
    `wrangler check startup (budget ${STARTUP_CPU_BUDGET_MS} ms active; Cloudflare's limit 1 s): ${r.startup.lines.join("; ") || "n/a"}`,
    ``,
  );
  return lines.join("\n");
}

/** Grouped horizontal bars: warm p50 per endpoint, Prisma and raw. */
export function chart(r: BenchResults): string {
  const cases = r.runs[0]!.cases;
  const rowH = 34;
  const left = 250;
  const width = 760;
  const max = Math.max(...cases.flatMap((c) => [c.latency.prisma.p50, c.latency.raw.p50]), 1);
  const scale = (v: number) => ((width - left - 140) * v) / max; // room for the longest label
  const top = 40;
  const height = top + cases.length * rowH + 30;
  const bars = cases.map((c, i) => {
    const y = top + i * rowH;
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${c.name} (${c.transport})</text>`,
      `<rect x="${left}" y="${y + 2}" width="${scale(c.latency.prisma.p50).toFixed(1)}" height="12" fill="#2d6cdf"/>`,
      `<text x="${left + scale(c.latency.prisma.p50) + 4}" y="${y + 12}">${c.latency.prisma.p50} ms (×${c.ratio.toFixed(2)})</text>`,
      `<rect x="${left}" y="${y + 15}" width="${scale(c.latency.raw.p50).toFixed(1)}" height="12" fill="#9aa5b1"/>`,
      `<text x="${left + scale(c.latency.raw.p50) + 4}" y="${y + 25}">${c.latency.raw.p50} ms</text>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Warm p50 latency at ${r.settings.rtts[0]} ms RTT: Prisma (blue) vs raw Neon driver (grey)</text>`,
    ...bars,
    `<text x="10" y="${height - 8}" fill="#555">${r.date.slice(0, 10)} · ${r.machine.cpus} CPUs · npm run bench · ratios matter more than absolute times</text>`,
    `</svg>`,
    ``,
  ].join("\n");
}

export function writeReport(r: BenchResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = { "results.json": `${JSON.stringify(r, null, 2)}\n`, "results.md": markdown(r), "chart.svg": chart(r) };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return Object.keys(files).map((name) => path.join(path.relative(process.cwd(), dir), name));
}
