// The three measurements per endpoint: flights from the local Neon's counters, sequential
// latency (p50/p95), and throughput under concurrency (autocannon).

import type { LocalNeon } from "@starter/local-neon";
import autocannon from "autocannon";
import { materialize, type RequestSpec } from "./cases";

export async function send(
  origin: string,
  spec: RequestSpec,
): Promise<{ ms: number; status: number; text: string; path: string }> {
  const { path, headers, body } = materialize(spec);
  const start = performance.now();
  const res = await fetch(origin + path, { method: spec.method, headers, body });
  const text = await res.text();
  return { ms: performance.now() - start, status: res.status, text, path };
}

/** Fails loudly when an endpoint does not answer 2xx: a fast error would look like a fast endpoint. */
export async function sendOk(origin: string, spec: RequestSpec): Promise<number> {
  const { ms, status, text, path } = await send(origin, spec);
  if (status < 200 || status > 299) throw new Error(`${spec.method} ${path} answered ${status}: ${text.slice(0, 300)}`);
  return ms;
}

export interface Flights {
  /** Postgres round trips (WebSocket and TCP flights + /sql requests), per request. */
  pgRoundTrips: number;
  /** WebSocket upgrades (connections opened), per request. */
  wsUpgrades: number;
  /** TCP connection setup flights (startup, password), per request: inside Cloudflare on Hyperdrive. */
  tcpSetup: number;
  /** What crosses to the database: round trips + upgrades − TCP setup. */
  flights: number;
}

/** Flights of a TCP connection's setup through the local Neon: startup, then the cleartext password. */
export const TCP_SETUP_FLIGHTS = 2;

export async function flightsPerRequest(
  neon: LocalNeon,
  origin: string,
  spec: RequestSpec,
  requests: number,
): Promise<Flights> {
  await new Promise((r) => setTimeout(r, 200)); // let earlier disconnects (waitUntil) finish
  neon.resetCounters();
  for (let i = 0; i < requests; i++) await sendOk(origin, spec);
  await new Promise((r) => setTimeout(r, 200));
  const c = neon.counters();
  const per = (n: number) => Math.round((n / requests) * 100) / 100;
  const tcpSetup = TCP_SETUP_FLIGHTS * c.tcpOpened;
  return {
    pgRoundTrips: per(c.roundTrips),
    wsUpgrades: per(c.wsOpened),
    tcpSetup: per(tcpSetup),
    flights: per(c.roundTrips + c.wsOpened - tcpSetup),
  };
}

/**
 * Waits until the local Neon has seen no new traffic for a second (at most `maxMs`): requests a
 * load run left in flight must not slow the next measurement down.
 */
export async function drain(neon: LocalNeon, maxMs = 30_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (Date.now() < deadline) {
    const c = neon.counters();
    const seen = c.httpRequests + c.wsOpened + c.tcpOpened + c.roundTrips;
    if (seen === last && c.wsOpen + c.tcpOpen === 0) return;
    last = seen;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? NaN) * 10) / 10;
}

/** Sequential requests, the variants interleaved so drift on a shared machine hits all alike. */
export async function interleavedLatencies(origin: string, specs: RequestSpec[], samples: number): Promise<number[][]> {
  const out = specs.map(() => [] as number[]);
  for (let i = 0; i < samples; i++) {
    for (const [j, spec] of specs.entries()) out[j]!.push(await sendOk(origin, spec));
  }
  return out;
}

export interface Throughput {
  connections: number;
  rps: number;
  p50: number;
  non2xx: number;
  errors: number;
}

export async function throughput(
  origin: string,
  spec: RequestSpec,
  connections: number,
  seconds: number,
): Promise<Throughput> {
  const result = await autocannon({
    url: origin,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: spec.method,
        setupRequest: (req: autocannon.Request) => {
          const { path, headers, body } = materialize(spec);
          return { ...req, path, headers, ...(body === undefined ? {} : { body }) };
        },
      },
    ],
  });
  return {
    connections,
    rps: Math.round(result.requests.average * 10) / 10,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
