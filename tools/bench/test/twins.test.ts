// The bench's baselines are fair only if they do the app route's work around the query
// (tools/bench/worker/twins.ts). The bench Worker's deploy bundle in plain workerd, on each path:
// every bench case sent once to the app and once to each of its twins, which must
// - answer with the same status;
// - on reads, answer the same body (the same DTO, the same page cursor);
// - on writes, answer the same fields, of the same types;
// - refuse what the app refuses, with the app's problem+json: a malformed id, an unknown field.
// - over WebSocket, open their sockets as the app does (src/db/neon-websocket.ts), also when a
//   twin is the first request of a fresh isolate.
import { type LocalStack, startLocalStack } from "@starter/local-neon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchCase, benchCases, type RequestSpec, TRANSPORTS, type Transport } from "../src/cases";
import { buildColdBundles, type ColdBundles, startPathWorker } from "../src/cold";
import { createFixtures, DemoMissingError } from "../src/fixtures";
import { send } from "../src/measure";
import { BENCH_AUTH } from "../src/stack";
import type { PlainWorker } from "../src/workerd";

let stack: LocalStack;
let bundles: ColdBundles;
let cases: BenchCase[];
const workers = {} as Record<Transport, PlainWorker>;

/** Set when the demo is gone (README, "Remove the demo"): there are no bench cases, and every test here skips, saying why. */
let missing: string | undefined;

beforeAll(async () => {
  stack = await startLocalStack({ log: () => {} });
  try {
    cases = benchCases(await createFixtures(stack.directUrl));
  } catch (error) {
    if (!(error instanceof DemoMissingError)) throw error;
    missing = error.message;
    return;
  }
  bundles = await buildColdBundles();
  for (const t of TRANSPORTS) workers[t] = await startPathWorker(stack, bundles.warmedUp, t);
}, 180_000);
afterAll(async () => {
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  bundles?.dispose();
  await stack?.stop();
});

/** Each field's name and JSON type: what a write's response must share with its twin's. */
const shape = (text: string) =>
  text === ""
    ? ""
    : Object.entries(JSON.parse(text) as object).map(([k, v]) => `${k}:${v === null ? "null" : typeof v}`);

describe.each(TRANSPORTS)("the baselines do the app route's work, over %s", (transport) => {
  const twinsOf = (c: BenchCase) => [c.raw, ...(c.drizzle ? [c.drizzle] : [])];

  it("answer each bench case as the app does", async (ctx) => {
    if (missing) ctx.skip(missing);
    const origin = workers[transport].origin;
    const checked: string[] = [];
    for (const c of cases.filter((x) => x.transport === transport)) {
      const app = await send(origin, c.prisma);
      expect(app.status, `${c.name}: ${app.text}`).toBeLessThan(300);
      for (const twin of twinsOf(c)) {
        const got = await send(origin, twin);
        const said = () => workers[transport].output().slice(-2000);
        expect(got.status, `${got.path}: ${got.text}`).toBe(got.status === app.status ? app.status : said());
        // /health's twins answer only that the query ran (tools/bench/src/cases.ts).
        if (c.name === "GET /health") continue;
        if (c.prisma.method === "GET") expect(JSON.parse(got.text), got.path).toEqual(JSON.parse(app.text));
        else expect(shape(got.text), got.path).toEqual(shape(app.text));
        checked.push(got.path);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(transport === "http" ? 12 : 14);
  });

  it.runIf(transport === "ws")("open their WebSockets as the app does, first in a fresh isolate too", async (ctx) => {
    if (missing) ctx.skip(missing);
    const fresh = await startPathWorker(stack, bundles.warmedUp, transport);
    try {
      const c = cases.find((x) => x.transport === transport && x.name === "GET /users/{id}")!;
      expect((await send(fresh.origin, c.raw)).status).toBe(200);
      const sockets = await send(fresh.origin, { method: "GET", path: "/__bench/sockets", headers: BENCH_AUTH });
      expect(JSON.parse(sockets.text)).toEqual({ appSockets: true });
    } finally {
      await fresh.stop();
    }
  });

  it("refuse what the app refuses, as the app does", async (ctx) => {
    if (missing) ctx.skip(missing);
    const origin = workers[transport].origin;
    const wire = { http: "http", ws: "ws", hyperdrive: "pg" }[transport];
    const bad: RequestSpec[] = [
      { method: "GET", path: "/users/not-a-uuid", headers: BENCH_AUTH },
      { method: "GET", path: "/posts?limit=0", headers: BENCH_AUTH },
      {
        method: "POST",
        path: "/users",
        headers: { ...BENCH_AUTH, "Content-Type": "application/json" },
        body: () => JSON.stringify({ email: "bench-twin@example.test", admin: true }),
      },
    ];
    for (const spec of bad) {
      const app = await send(origin, spec);
      expect(app.status, app.text).toBe(400);
      for (const prefix of [
        `/__bench/raw/${wire}`,
        ...(spec.path === "/users/not-a-uuid" ? [`/__bench/drizzle/${wire}`] : []),
      ]) {
        const twin = await send(origin, { ...spec, path: prefix + spec.path });
        expect(twin.status, `${twin.path}: ${twin.text}`).toBe(400);
        const { instance, ...problem } = JSON.parse(twin.text);
        const { instance: appInstance, ...appProblem } = JSON.parse(app.text);
        expect(problem, twin.path).toEqual(appProblem);
        expect(instance).toBe(prefix + appInstance);
      }
    }
  });
});
