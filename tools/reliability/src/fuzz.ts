// Sends generated requests to the Worker; any 5xx, or no response, is a failure. Afterwards the
// Worker must still be healthy and hold no connection open afterwards.

import { runBounded } from "./bounded.js";
import { settleConnections } from "./connections.js";
import { type FuzzRequest, sampleRequests } from "./fuzz-requests.js";
import { checkInvariants, type InvariantReport } from "./invariants.js";
import type { WorkerUnderTest } from "./worker-under-test.js";

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency: number;
  deadlineMs: number;
}

export interface FuzzFailure {
  /** Index in the seed's sequence: `sampleRequests(ctx, seed, index + 1)[index]` replays it. */
  index: number;
  status: string;
  method: string;
  path: string;
  bodyStart?: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  ms: number;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
  healthyAfter: boolean;
  connectionsBefore: number;
  connectionsAfter: number;
  invariants: InvariantReport;
}

/** Requests are generated in chunks, so huge bodies never all sit in memory at once. */
const CHUNK = 500;

export async function runFuzz(target: WorkerUnderTest, opts: FuzzOptions): Promise<FuzzReport> {
  const auth = { Authorization: `Bearer ${target.apiToken}`, "Content-Type": "application/json" };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${target.origin}${path}`, { method: "POST", headers: auth, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`fuzz setup: POST ${path} gave HTTP ${res.status}`);
    return ((await res.json()) as { id: string }).id;
  };
  const userId = await post("/users", { email: `fuzz-${crypto.randomUUID()}@example.test` });
  const postId = await post("/posts", { title: "fuzz", authorId: userId });
  const ctx = { token: target.apiToken, userId, postId };
  const connectionsBefore = await settleConnections(target, 0);

  const byStatus: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  const started = Date.now();
  let sent = 0;
  for (let from = 0; from < opts.requests && Date.now() - started < opts.deadlineMs; from += CHUNK) {
    // Sample the whole prefix and keep this chunk: request i is the same whatever the chunking.
    const chunk = sampleRequests(ctx, opts.seed, Math.min(from + CHUNK, opts.requests)).slice(from);
    const run = await runBounded(
      chunk.length,
      opts.concurrency,
      opts.deadlineMs - (Date.now() - started),
      async (i) => {
        const status = await send(target.origin, chunk[i]!);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (!/^[1-4]\d\d$/.test(status)) failures.push(describe(from + i, status, chunk[i]!));
      },
    );
    sent += run.done;
  }
  const ms = Date.now() - started;
  const health = await fetch(`${target.origin}/health`).catch(() => undefined);
  return {
    seed: opts.seed,
    requests: sent,
    ms,
    byStatus,
    failures,
    healthyAfter: health?.status === 200,
    connectionsBefore,
    connectionsAfter: await settleConnections(target, connectionsBefore),
    invariants: await checkInvariants(target.db),
  };
}

async function send(origin: string, r: FuzzRequest): Promise<string> {
  try {
    const res = await fetch(`${origin}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.body,
      redirect: "manual",
    });
    await res.arrayBuffer();
    return String(res.status);
  } catch (error) {
    return `no response: ${(error as Error).message}`;
  }
}

function describe(index: number, status: string, r: FuzzRequest): FuzzFailure {
  return { index, status, method: r.method, path: r.path.slice(0, 200), bodyStart: r.body?.slice(0, 200) };
}
