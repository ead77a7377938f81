// Cold requests: the first request of a fresh isolate, each sample a new workerd process running
// the deploy bundle (tools/bench/src/workerd.ts), once with the query compiler warm-up and once without.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { LocalStack } from "@starter/local-neon";
import type { RequestSpec, Transport } from "./cases";
import { percentile, sendOk } from "./measure";
import { BENCH_AUTH, benchBindings } from "./stack";
import { buildDeployBundle, type DeployBundle, type PlainWorker, startPlainWorkerd } from "./workerd";

const SCHEMA = path.resolve(import.meta.dirname, "../../../prisma/schema.prisma");

/** The bench Worker's two deploy bundles: as production starts (warm-up), and without it. */
export interface ColdBundles {
  warmedUp: DeployBundle;
  withoutWarmUp: DeployBundle;
  dispose(): void;
}

export async function buildColdBundles(): Promise<ColdBundles> {
  // BENCH_WRANGLER_CONFIG: compare another configuration (e.g. another compiler build) on the same code.
  const config = process.env.BENCH_WRANGLER_CONFIG && path.resolve(process.env.BENCH_WRANGLER_CONFIG);
  const warmedUp = await buildDeployBundle("tools/bench/worker/index.ts", config || undefined);
  const withoutWarmUp = await buildDeployBundle("tools/bench/worker/without-warm-up.ts", config || undefined);
  return {
    warmedUp,
    withoutWarmUp,
    dispose: () => {
      warmedUp.dispose();
      withoutWarmUp.dispose();
    },
  };
}

/**
 * A new workerd process (a fresh isolate) running `bundle` on one of the three paths: Neon over
 * HTTP for statements (the default), Neon over WebSocket for everything
 * (NEON_STATEMENT_TRANSPORT=ws), or the HYPERDRIVE binding.
 */
export function startPathWorker(
  stack: LocalStack,
  bundle: DeployBundle,
  transport: Transport,
  settings: Record<string, string> = {},
): Promise<PlainWorker> {
  const bindings = {
    ...benchBindings(stack),
    ...(transport === "ws" ? { NEON_STATEMENT_TRANSPORT: "ws" } : {}),
    ...settings,
  };
  return startPlainWorkerd(bundle, bindings, transport === "hyperdrive" ? { hyperdrive: stack.hyperdriveUrl } : {});
}

/**
 * A fresh isolate which has served nothing. workerd listens before the Worker's startup has run,
 * so `settled` waits 1 s for it (the case Cloudflare aims for: startup hidden in the TLS
 * handshake); otherwise the first request waits for startup, as when it outlasts the handshake.
 */
async function freshWorker(
  stack: LocalStack,
  bundle: DeployBundle,
  settled: boolean,
  transport: Transport,
  settings: Record<string, string> = {},
): Promise<PlainWorker> {
  const worker = await startPathWorker(stack, bundle, transport, settings);
  if (settled) await new Promise((resolve) => setTimeout(resolve, 1000));
  return worker;
}

export interface ColdResult {
  /** First request of each fresh isolate, its startup done, ms. */
  cold: number[];
  /** First request of another fresh isolate, sent as soon as workerd listens (it waits for startup), ms; when asked for. */
  coldWithStartup: number[];
  /** Median of the next 5 requests of the same isolate, ms. */
  warm: number[];
}

export async function coldVsWarm(
  stack: LocalStack,
  bundle: DeployBundle,
  spec: RequestSpec,
  samples: number,
  transport: Transport,
  opts: { withStartup?: boolean; settings?: Record<string, string> } = {},
): Promise<ColdResult> {
  const result: ColdResult = { cold: [], coldWithStartup: [], warm: [] };
  for (let i = 0; i < samples; i++) {
    if (opts.withStartup) {
      const unsettled = await freshWorker(stack, bundle, false, transport, opts.settings);
      try {
        result.coldWithStartup.push(Math.round(await sendOk(unsettled.origin, spec)));
      } finally {
        await unsettled.stop();
      }
    }
    const worker = await freshWorker(stack, bundle, true, transport, opts.settings);
    try {
      result.cold.push(Math.round(await sendOk(worker.origin, spec)));
      const next: number[] = [];
      for (let j = 0; j < 5; j++) next.push(await sendOk(worker.origin, spec));
      result.warm.push(percentile(next, 50));
    } finally {
      await worker.stop();
    }
  }
  return result;
}

/** One side of a cold comparison: the bundle its fresh isolates run, and their first request. */
export interface ColdSide {
  bundle: DeployBundle;
  spec: RequestSpec;
  withStartup?: boolean;
  /** Bindings besides the path's (PRISMA_SPEED_LAYER, say). */
  settings?: Record<string, string>;
}

/**
 * coldVsWarm for each side, interleaved: one fresh isolate of each side in turn, `samples` rounds.
 * A cold request is mostly first-run CPU, so a change in the machine's load while one side runs all
 * its samples would land on that side alone; in turn, it lands on every side alike.
 */
export async function interleavedCold<T extends Partial<Record<string, ColdSide>>>(
  stack: LocalStack,
  sides: T,
  samples: number,
  transport: Transport,
): Promise<{ [K in keyof T]: ColdResult }> {
  const entries = Object.entries(sides).filter((entry): entry is [string, ColdSide] => entry[1] !== undefined);
  const results: Record<string, ColdResult> = {};
  for (const [key] of entries) results[key] = { cold: [], coldWithStartup: [], warm: [] };
  for (let i = 0; i < samples; i++) {
    for (const [key, side] of entries) {
      const one = await coldVsWarm(stack, side.bundle, side.spec, 1, transport, {
        withStartup: side.withStartup,
        settings: side.settings,
      });
      for (const k of ["cold", "coldWithStartup", "warm"] as const) results[key]![k].push(...one[k]);
    }
  }
  return results as { [K in keyof T]: ColdResult };
}

export type Timings = Record<string, number>;

export interface ColdBreakdown {
  /** The query compiler alone, without the warm-up (tools/bench/worker/cold-timings.ts). */
  compiler: Timings[];
  /** What a route pays, without the warm-up and with it. */
  prisma: Timings[];
  prismaWarmedUp: Timings[];
}

/** The bench Worker's own clock around each step of a first query (tools/bench/worker/cold-timings.ts). */
export async function coldBreakdown(
  stack: LocalStack,
  bundles: ColdBundles,
  userId: string,
  samples: number,
): Promise<ColdBreakdown> {
  const out: ColdBreakdown = { compiler: [], prisma: [], prismaWarmedUp: [] };
  const schema = readFileSync(SCHEMA, "utf8");
  const modes = [
    {
      key: "compiler",
      bundle: bundles.withoutWarmUp,
      request: (origin: string) =>
        fetch(`${origin}/__bench/cold/compiler`, { method: "POST", body: schema, headers: BENCH_AUTH }),
    },
    {
      key: "prisma",
      bundle: bundles.withoutWarmUp,
      request: (origin: string) =>
        fetch(`${origin}/__bench/cold/prisma?transport=http&id=${userId}`, { headers: BENCH_AUTH }),
    },
    {
      key: "prismaWarmedUp",
      bundle: bundles.warmedUp,
      request: (origin: string) =>
        fetch(`${origin}/__bench/cold/prisma?transport=http&id=${userId}`, { headers: BENCH_AUTH }),
    },
  ] as const;
  for (let i = 0; i < samples; i++) {
    for (const mode of modes) {
      const worker = await freshWorker(stack, mode.bundle, true, "http");
      try {
        const res = await mode.request(worker.origin);
        if (!res.ok) throw new Error(`cold ${mode.key} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
        out[mode.key].push((await res.json()) as Timings);
      } finally {
        await worker.stop();
      }
    }
  }
  return out;
}

/** Median per step over the samples. */
export function medianTimings(samples: Timings[]): Timings {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(
    keys.map((k) => [
      k,
      percentile(
        samples.map((s) => s[k] ?? NaN),
        50,
      ),
    ]),
  );
}
