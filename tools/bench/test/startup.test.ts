// The deploy bundle in plain workerd, as Cloudflare runs it:
// - the module-scope query compiler warm-up (src/db/speed/warm-up.ts) must succeed there. workerd refuses
//   I/O and timers at module scope, so a Prisma upgrade that made $connect or compile do either
//   would turn the warm-up into a "warm-up failed" line; this reads what workerd prints;
// - a fresh isolate's first database request stays within a budget (generous: the bench measures
//   the figure itself, docs/PERFORMANCE.md "Cold start"; this catches a regression by multiples).
import { setTimeout as sleep } from "node:timers/promises";
import { type LocalStack, startLocalStack } from "@starter/local-neon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendOk } from "../src/measure";
import { BENCH_AUTH, benchBindings } from "../src/stack";
import { buildDeployBundle, type DeployBundle, type PlainWorker, startPlainWorkerd } from "../src/workerd";

/** A fresh isolate's first read (startup done, no injected RTT): measured ~40–70 ms. */
const COLD_FIRST_REQUEST_BUDGET_MS = 1_000;

describe("deploy bundle in workerd", () => {
  let bundle: DeployBundle;

  beforeAll(async () => {
    bundle = await buildDeployBundle("src/index.ts");
  });
  afterAll(() => bundle?.dispose());

  it("warms the query compiler at module scope without a warning, then serves", async () => {
    // No database is needed: the warm-up never dials, and /openapi.json queries nothing.
    const worker = await startPlainWorkerd(bundle, {
      DATABASE_URL: "postgresql://nobody:nothing@127.0.0.1:9/none",
      API_TOKEN: "startup-test-token-0123456789",
    });
    try {
      const res = await fetch(`${worker.origin}/openapi.json`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      // The request's own log line shows the Worker's console reaches us, so a warning would too.
      await expect.poll(() => worker.output(), { timeout: 5_000 }).toContain('"path":"/openapi.json"');
      expect(worker.output()).not.toContain("warm-up failed");
    } finally {
      await worker.stop();
    }
  });

  describe("a fresh isolate's first database request", () => {
    let stack: LocalStack;
    let worker: PlainWorker;
    beforeAll(async () => {
      stack = await startLocalStack({ log: () => {} });
      worker = await startPlainWorkerd(bundle, benchBindings(stack));
      await sleep(1_000); // its startup done, as Cloudflare aims for (startup during the TLS handshake)
    }, 120_000);
    afterAll(async () => {
      await worker?.stop();
      await stack?.stop();
    });

    it(`answers within ${COLD_FIRST_REQUEST_BUDGET_MS} ms`, async () => {
      // /health's database check: a Prisma query on every app, the demo's models or none.
      const ms = await sendOk(worker.origin, { method: "GET", path: "/health?need=statement", headers: BENCH_AUTH });
      expect(ms).toBeLessThanOrEqual(COLD_FIRST_REQUEST_BUDGET_MS);
      console.log(`first request of a fresh isolate: ${Math.round(ms)} ms (budget ${COLD_FIRST_REQUEST_BUDGET_MS})`);
    });
  });
});
