// A fixed mix of reads and writes on both transports, at a given concurrency; every response is
// checked against the status that request must get. Then: backends back to baseline, counters right.

import { runBounded } from "./bounded.js";
import { settleConnections } from "./connections.js";
import { checkInvariants, type InvariantReport } from "./invariants.js";
import type { WorkerUnderTest } from "./worker-under-test.js";

export interface LoadOptions {
  requests: number;
  concurrency: number;
  /** Stop starting requests after this long, whatever the count. */
  deadlineMs: number;
}

export interface LoadReport {
  requests: number;
  concurrency: number;
  ms: number;
  byStatus: Record<string, number>;
  /** A status other than the expected one, or no response at all. */
  unexpected: number;
  examples: string[];
  connectionsBefore: number;
  connectionsAfter: number;
  invariants: InvariantReport;
}

interface Planned {
  label: string;
  path: string;
  init?: RequestInit;
  expect: number;
}

/** The request mix, by index: 10 kinds, from /health to transactional writes. */
function plan(i: number, authors: string[], auth: Record<string, string>): Planned {
  const author = authors[i % authors.length]!;
  const json = (method: string, body: unknown): RequestInit => ({ method, headers: auth, body: JSON.stringify(body) });
  switch (i % 10) {
    case 0:
      return { label: "GET /health (ws)", path: "/health", expect: 200 };
    case 1:
      return { label: "GET /health (http)", path: "/health?need=statement", expect: 200 };
    case 2:
      return { label: "GET /users", path: "/users?limit=10", expect: 200 };
    case 3:
      return { label: "GET /users/:id", path: `/users/${author}`, expect: 200 };
    case 4:
      return { label: "GET /users/:unknown", path: `/users/${crypto.randomUUID()}`, expect: 404 };
    case 5:
      return { label: "GET /posts", path: `/posts?authorId=${author}&limit=5`, expect: 200 };
    case 6:
    case 7:
      return {
        label: "POST /posts (one statement)",
        path: "/posts",
        init: json("POST", { title: `load ${i}`, authorId: author }),
        expect: 201,
      };
    case 8:
      return {
        label: "POST /users",
        path: "/users",
        init: json("POST", { email: `load-${i}-${crypto.randomUUID()}@example.test` }),
        expect: 201,
      };
    default:
      return {
        label: "PATCH /users/:id",
        path: `/users/${author}`,
        init: json("PATCH", { name: `n${i}` }),
        expect: 200,
      };
  }
}

export async function runLoad(target: WorkerUnderTest, opts: LoadOptions): Promise<LoadReport> {
  const auth = { Authorization: `Bearer ${target.apiToken}`, "Content-Type": "application/json" };
  const authors: string[] = [];
  for (let a = 0; a < 8; a++) {
    const res = await fetch(`${target.origin}/users`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ email: `author-${a}-${crypto.randomUUID()}@example.test` }),
    });
    if (res.status !== 201) throw new Error(`creating an author: HTTP ${res.status}`);
    authors.push(((await res.json()) as { id: string }).id);
  }
  const connectionsBefore = await settleConnections(target, 0);

  const byStatus: Record<string, number> = {};
  const examples: string[] = [];
  let unexpected = 0;
  const run = await runBounded(opts.requests, opts.concurrency, opts.deadlineMs, async (i) => {
    const p = plan(i, authors, auth);
    let status: string;
    try {
      // Every route but /health needs the token (closed by default).
      const res = await fetch(`${target.origin}${p.path}`, { ...p.init, headers: { ...auth, ...p.init?.headers } });
      await res.arrayBuffer();
      status = String(res.status);
    } catch (error) {
      status = `fetch failed: ${(error as Error).message}`;
    }
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status !== String(p.expect)) {
      unexpected++;
      if (examples.length < 5) examples.push(`${p.label}: expected ${p.expect}, got ${status}`);
    }
  });

  const connectionsAfter = await settleConnections(target, connectionsBefore);
  return {
    requests: run.done,
    concurrency: opts.concurrency,
    ms: run.ms,
    byStatus,
    unexpected,
    examples,
    connectionsBefore,
    connectionsAfter,
    invariants: await checkInvariants(target.db),
  };
}
