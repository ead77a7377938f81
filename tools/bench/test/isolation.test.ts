// Requests sharing an isolate, as on Cloudflare: the machinery's fixture Worker
// (test/worker/fixture) as a deploy bundle in plain workerd, sent real HTTP requests, each its own
// request context. 1,000 mixed reads, writes, keyed writes and interactive transactions at
// concurrency 64, on Neon's paths (HTTP and WebSocket) and on Hyperdrive:
// - every response is its own request's, and no write is lost or applied twice;
// - nothing crosses between requests: workerd prints a warning or an error when a request uses
//   another's I/O object or promise, and none is printed;
// - the isolate reuses its PrismaClients (src/db/speed/client-pool.ts) and compilers
//   (src/db/speed/shared-compiler.ts) instead of building them per request.
import { readFileSync } from "node:fs";
import { type LocalStack, startLocalStack } from "@starter/local-neon";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_AUTH, benchBindings } from "../src/stack";
import { buildDeployBundle, type DeployBundle, type PlainWorker, startPlainWorkerd } from "../src/workerd";

const TABLES = new URL("../../../test/worker/fixture/tables.sql", import.meta.url);
const TOTAL = 1000;
const CONCURRENCY = 64;

interface Note {
  id: string;
  text: string;
  topicId: string;
}
interface Internals {
  clientPool: { built: number; reused: number; idle: number };
  compiler: { compilersBuilt: number; planMisses: number };
}

describe.each(["neon", "hyperdrive"] as const)("requests sharing an isolate, over %s", (via) => {
  let stack: LocalStack;
  let bundle: DeployBundle;
  let worker: PlainWorker;
  beforeAll(async () => {
    stack = await startLocalStack({ log: () => {} });
    const db = new pg.Client({ connectionString: stack.directUrl });
    await db.connect();
    await db.query(readFileSync(TABLES, "utf8")).finally(() => db.end());
    bundle = await buildDeployBundle("test/worker/fixture/worker.ts");
    worker = await startPlainWorkerd(
      bundle,
      benchBindings(stack),
      via === "hyperdrive" ? { hyperdrive: stack.hyperdriveUrl } : {},
    );
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    bundle?.dispose();
    await stack?.stop();
  });

  let retried = 0;
  // A keyed request is retried as a client would: on a 503 (a transaction that ran out of time
  // waiting for rows the others hold, on a busy machine; rolled back), after Retry-After, same key.
  const call = async <T>(path: string, init: { method?: string; json?: unknown; key?: boolean } = {}) => {
    const key: Record<string, string> = init.key ? { "Idempotency-Key": crypto.randomUUID() } : {};
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(worker.origin + path, {
        method: init.method ?? "GET",
        headers: { ...BENCH_AUTH, "Content-Type": "application/json", ...key },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      const raw = await res.text();
      const retryAfter = Number(res.headers.get("Retry-After"));
      if (init.key && res.status === 503 && retryAfter && attempt < 5) {
        retried++;
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
        continue;
      }
      // workerd's own 500 (what crossing between requests can end in) is plain text.
      const body = (raw.startsWith("{") ? JSON.parse(raw) : { text: raw }) as T;
      return { status: res.status, body };
    }
  };
  const created = async <T>(path: string, json?: unknown) => {
    const res = await call<T>(path, { method: "POST", json });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  let seq = 0;
  const text = (tag: string) => `${tag}-${seq++}-${crypto.randomUUID()}`;

  it(`${TOTAL} mixed requests at concurrency ${CONCURRENCY}: each its own, nothing crosses, clients reused`, async () => {
    // Moves go from a source topic to a target topic, never back, so no two lock in opposite orders.
    const topic = () => created<{ id: string }>("/topics");
    const sources = await Promise.all(Array.from({ length: 4 }, topic));
    const targets = await Promise.all(Array.from({ length: 4 }, topic));
    const known = await Promise.all(
      sources.map((t) => created<Note>("/notes", { text: text("known"), topicId: t.id })),
    );
    const before = (await call<Internals>("/fixture/internals")).body;

    const wrong: string[] = [];
    const check = (label: string, ok: boolean) => {
      if (!ok && wrong.length < 10) wrong.push(label);
    };
    const one = async (i: number) => {
      const from = sources[i % sources.length]!;
      const to = targets[i % targets.length]!;
      switch (i % 5) {
        case 0: {
          // A read by id: the row asked for, not another request's.
          const asked = known[i % known.length]!;
          const { status, body } = await call<Note>(`/notes/${asked.id}`);
          return check(`read ${i}: ${status} ${body.id}`, status === 200 && body.id === asked.id);
        }
        case 1: {
          const { status, body } = await call<{ items: Note[] }>(`/notes?topicId=${to.id}`);
          return check(`list ${i}: ${status}`, status === 200 && body.items.every((n) => n.topicId === to.id));
        }
        case 2: {
          // A keyed write (a transaction with Prisma's planned queries): the note has the text it sent.
          const sent = text(`c${i}`);
          const { status, body } = await call<Note>("/notes", {
            method: "POST",
            key: true,
            json: { text: sent, topicId: from.id },
          });
          return check(`keyed create ${i}: ${status} ${body.text}`, status === 201 && body.text === sent);
        }
        case 3: {
          const sent = text(`s${i}`);
          const { status, body } = await call<Note>("/notes", {
            method: "POST",
            json: { text: sent, topicId: from.id },
          });
          return check(`create ${i}: ${status}`, status === 201 && body.text === sent && body.topicId === from.id);
        }
        default: {
          // An interactive transaction: read the note, check, move it and both counts.
          const note = await created<Note>("/notes", { text: text(`m${i}`), topicId: from.id });
          const { status, body } = await call<Note>(`/notes/${note.id}/move`, {
            method: "POST",
            key: true,
            json: { topicId: to.id },
          });
          const ok = status === 200 && body.id === note.id && body.topicId === to.id;
          return check(`move ${i}: ${status} ${ok ? "" : JSON.stringify(body)}`, ok);
        }
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) await one(next++);
      }),
    );
    // On a failure, what the Worker logged about it too (its error lines).
    const errors = worker
      .output()
      .split("\n")
      .filter((line) => line.includes('"level":"error"'));
    expect({ wrong, errors: wrong.length ? errors.slice(0, 5) : [] }).toEqual({ wrong: [], errors: [] });
    // Retries are the exception (none on a quiet machine), not what makes the run pass.
    expect(retried).toBeLessThan(TOTAL / 10);
    // Every topic's count equals its notes: no write was lost or applied twice.
    for (const t of [...sources, ...targets]) {
      const { body: counted } = await call<{ noteCount: number }>(`/topics/${t.id}`);
      const { body: listed } = await call<{ items: Note[] }>(`/notes?topicId=${t.id}`);
      expect(counted.noteCount).toBe(listed.items.length);
    }
    expect(worker.output()).not.toMatch(/different request|Cannot perform I\/O|will never complete|request has ended/i);
    expect(worker.output()).not.toMatch(/not pooled|refused the shared query compiler/);

    // ~1,200 requests, each with a client: clients were built only while more requests were in flight
    // (or still disconnecting) than the pool had idle.
    const after = (await call<Internals>("/fixture/internals")).body;
    expect(after.clientPool.built - before.clientPool.built).toBeLessThanOrEqual(CONCURRENCY);
    expect(after.clientPool.reused - before.clientPool.reused).toBeGreaterThan(TOTAL - CONCURRENCY);
    // One compiler per connection shape (HTTP; WebSocket or Hyperdrive), not one per request.
    expect(after.compiler.compilersBuilt).toBeLessThanOrEqual(2);
  });
});
