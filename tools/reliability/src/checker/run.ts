// Runs a schedule against the Worker at a given concurrency, under its faults, and records every
// answer (the history the checker reads). A keyed write whose answer was lost or asked for a retry
// (no response, 503, 409 with Retry-After) is retried with its key, as a client should; unkeyed
// writes are never retried (that could write twice).
import { setTimeout as sleep } from "node:timers/promises";
import { CHECKER_APPLICATION_NAME } from "../connections.js";
import type { WorkerUnderTest } from "../worker-under-test.js";
import type { Fault, Op, Schedule } from "./schedule.js";

export interface Answer {
  status: number;
  /** Lower-case names; per-request ones (x-request-id, date) left out. */
  headers: Record<string, string>;
  body: string;
}

export interface Entry {
  index: number;
  op: Exclude<Op, { kind: "fault" }>;
  /** One per attempt; status 0 = no response (the connection was cut). */
  attempts: Answer[];
}

export interface Pools {
  users: string[];
  posts: string[];
}

export interface History {
  pools: Pools;
  entries: Entry[];
  ms: number;
}

const PER_REQUEST = new Set(["x-request-id", "date", "cf-ray", "content-length"]);
const MAX_ATTEMPTS = 4;

/** Makes the users and posts the schedule's indices name, through the API itself. */
export async function makePools(target: WorkerUnderTest, schedule: Schedule): Promise<Pools> {
  const users: string[] = [];
  for (let i = 0; i < schedule.users; i++) {
    const res = await request(target, "POST", "/users", { email: `pool-${schedule.seed}-${i}@example.test` });
    if (res.status !== 201) throw new Error(`making the pool: POST /users answered ${res.status} ${res.body}`);
    users.push((JSON.parse(res.body) as { id: string }).id);
  }
  const posts: string[] = [];
  for (let i = 0; i < schedule.posts; i++) {
    const res = await request(target, "POST", "/posts", { title: `pool ${i}`, authorId: users[i % users.length] });
    if (res.status !== 201) throw new Error(`making the pool: POST /posts answered ${res.status} ${res.body}`);
    posts.push((JSON.parse(res.body) as { id: string }).id);
  }
  return { users, posts };
}

export async function runSchedule(
  target: WorkerUnderTest,
  schedule: Schedule,
  pools: Pools,
  concurrency: number,
): Promise<History> {
  const entries: Entry[] = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < schedule.ops.length) {
      const index = next++;
      const op = schedule.ops[index]!;
      if (op.kind === "fault") await applyFault(target, op.fault);
      else entries.push({ index, op, attempts: await perform(target, op, pools) });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await applyFault(target, { kind: "calm" });
  }
  entries.sort((a, b) => a.index - b.index);
  return { pools, entries, ms: Date.now() - started };
}

async function applyFault(target: WorkerUnderTest, fault: Fault): Promise<void> {
  const neon = target.stack.neon;
  if (fault.kind === "latency") neon.setFaults({ latencyMs: fault.ms, cutAfterCommit: false });
  else if (fault.kind === "cutAfterCommit") neon.setFaults({ cutAfterCommit: fault.on, latencyMs: 0 });
  else if (fault.kind === "calm") neon.setFaults({ latencyMs: 0, cutAfterCommit: false });
  // PgBouncer stopped and started on its port: every pooled connection, client and server side, cut.
  else if (fault.kind === "restartPooler") await target.stack.restartPooler();
  else {
    // Every backend of the Worker's (through PgBouncer or not), mid-transaction or idle.
    await target.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend' AND application_name <> $1`,
      [CHECKER_APPLICATION_NAME],
    );
  }
}

async function perform(target: WorkerUnderTest, op: Entry["op"], pools: Pools): Promise<Answer[]> {
  const headers = "key" in op && op.key ? { "Idempotency-Key": op.key } : undefined;
  const call = (): Promise<Answer> => {
    switch (op.kind) {
      case "createPost":
        return request(target, "POST", "/posts", { title: op.title, authorId: pools.users[op.author] }, headers);
      case "movePost":
        return request(
          target,
          "POST",
          `/posts/${pools.posts[op.post]}/move`,
          { authorId: pools.users[op.to] },
          headers,
        );
      case "deletePost":
        return request(target, "DELETE", `/posts/${pools.posts[op.post]}`);
      case "patchPost":
        return request(target, "PATCH", `/posts/${pools.posts[op.post]}`, { status: op.status });
      case "createUser":
        return request(target, "POST", "/users", { email: op.email }, headers);
      case "deleteUser":
        return request(target, "DELETE", `/users/${pools.users[op.user]}`);
    }
  };
  const attempts: Answer[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = await call();
    attempts.push(answer);
    const retry =
      answer.status === 0 || answer.status === 503 || (answer.status === 409 && "retry-after" in answer.headers);
    if (!headers || !retry) break;
    await sleep(50 * attempt);
  }
  return attempts;
}

async function request(
  target: WorkerUnderTest,
  method: string,
  path: string,
  json?: unknown,
  extra: Record<string, string> = {},
): Promise<Answer> {
  try {
    const res = await fetch(`${target.origin}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${target.apiToken}`,
        ...(json === undefined ? {} : { "Content-Type": "application/json" }),
        ...extra,
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(30_000),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of res.headers) if (!PER_REQUEST.has(name)) headers[name] = value;
    return { status: res.status, headers, body: await res.text() };
  } catch (error) {
    return { status: 0, headers: {}, body: String(error) };
  }
}
