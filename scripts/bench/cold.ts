// Cold requests: the first request of a fresh isolate (a new workerd process each sample).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { RequestSpec } from "./cases";
import { percentile, sendOk } from "./measure";
import { startBenchWorker, type BenchStack, type BenchWorker } from "./stack";

const SCHEMA = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

/**
 * A fresh worker whose isolate has started but served nothing. workerd evaluates the Worker at
 * startup (as Cloudflare does during the TLS handshake); the one static asset fetched here is
 * served without running the Worker and absorbs wrangler's own first-request set-up (its proxy,
 * and an attempt to fetch Request.cf from the internet that fails offline after ~2 s).
 */
async function freshWorker(stack: BenchStack): Promise<BenchWorker> {
  const worker = await startBenchWorker(stack);
  const asset = await fetch(`${worker.origin}/docs-ui/swagger-ui.css`);
  await asset.arrayBuffer();
  if (!asset.ok) throw new Error(`static asset answered ${asset.status}; run npm run build first`);
  return worker;
}

export interface ColdResult {
  /** First request of each fresh isolate, ms. */
  cold: number[];
  /** Median of the next 5 requests of the same isolate, ms. */
  warm: number[];
}

export async function coldVsWarm(stack: BenchStack, spec: RequestSpec, samples: number): Promise<ColdResult> {
  const result: ColdResult = { cold: [], warm: [] };
  for (let i = 0; i < samples; i++) {
    const worker = await freshWorker(stack);
    try {
      result.cold.push(Math.round(await sendOk(worker.origin, spec)));
      const next: number[] = [];
      for (let j = 0; j < 5; j++) next.push(await sendOk(worker.origin, spec));
      result.warm.push(percentile(next, 50));
    } finally {
      await worker.dispose();
    }
  }
  return result;
}

export type Timings = Record<string, number>;

/** The bench Worker's own clock around each step of a first query (scripts/bench/worker/cold-timings.ts). */
export async function coldBreakdown(stack: BenchStack, userId: string, samples: number): Promise<{ compiler: Timings[]; prisma: Timings[] }> {
  const out = { compiler: [] as Timings[], prisma: [] as Timings[] };
  const schema = readFileSync(SCHEMA, "utf8");
  for (let i = 0; i < samples; i++) {
    for (const mode of ["compiler", "prisma"] as const) {
      const worker = await freshWorker(stack);
      try {
        const res =
          mode === "compiler"
            ? await fetch(`${worker.origin}/__bench/cold/compiler`, { method: "POST", body: schema })
            : await fetch(`${worker.origin}/__bench/cold/prisma?transport=http&id=${userId}`);
        if (!res.ok) throw new Error(`cold ${mode} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        out[mode].push((await res.json()) as Timings);
      } finally {
        await worker.dispose();
      }
    }
  }
  return out;
}

/** Median per step over the samples. */
export function medianTimings(samples: Timings[]): Timings {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(keys.map((k) => [k, percentile(samples.map((s) => s[k] ?? NaN), 50)]));
}
