import { setTimeout as sleep } from "node:timers/promises";
import type { WorkerUnderTest } from "../src/worker-under-test";

export interface Timed {
  status: number;
  /** Idempotency-Replayed: the answer is a stored response. */
  replayed: boolean;
  ms: number;
  retryAfter: string | null;
  contentType: string | null;
  body: string;
}

/** One request to the stack's Worker, timed from the client's side. */
export async function timedCall(
  target: WorkerUnderTest,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(`${target.origin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${target.apiToken}`, "Content-Type": "application/json", ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const body = await res.text();
  return {
    status: res.status,
    replayed: res.headers.get("Idempotency-Replayed") === "true",
    ms: performance.now() - started,
    retryAfter: res.headers.get("Retry-After"),
    contentType: res.headers.get("Content-Type"),
    body,
  };
}

/** Waits (bounded) until the Worker has closed every WebSocket and TCP connection, so the next is fresh. */
export async function untilNoOpenSockets(target: WorkerUnderTest, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  const open = () => target.stack.neon.counters().wsOpen + target.stack.neon.counters().tcpOpen;
  while (open() > 0) {
    if (Date.now() > deadline) throw new Error("connections still open");
    await sleep(50);
  }
}

export async function createAuthor(target: WorkerUnderTest): Promise<string> {
  const res = await timedCall(target, "POST", "/users", { email: `author-${crypto.randomUUID()}@example.test` });
  if (res.status !== 201) throw new Error(`creating an author: HTTP ${res.status}`);
  return (JSON.parse(res.body) as { id: string }).id;
}
