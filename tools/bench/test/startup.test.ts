// The deploy bundle's startup in plain workerd, as Cloudflare runs it: the module-scope query
// compiler warm-up (src/db/warm-up.ts) must succeed there. workerd refuses I/O and timers at
// module scope, so a Prisma upgrade that made $connect or compile do either would turn the
// warm-up into a "warm-up failed" line; this test reads what workerd prints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeployBundle, type DeployBundle, type PlainWorker, startPlainWorkerd } from "../src/workerd";

describe("deploy bundle startup in workerd", () => {
  let bundle: DeployBundle;
  let worker: PlainWorker;

  beforeAll(async () => {
    bundle = await buildDeployBundle("src/index.ts");
    // No database is needed: the warm-up never dials, and /openapi.json queries nothing.
    worker = await startPlainWorkerd(bundle, {
      DATABASE_URL: "postgresql://nobody:nothing@127.0.0.1:9/none",
      API_TOKEN: "startup-test-token-0123456789",
    });
  });

  afterAll(async () => {
    await worker?.stop();
    bundle?.dispose();
  });

  it("warms the query compiler at module scope without a warning, then serves", async () => {
    const res = await fetch(`${worker.origin}/openapi.json`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // The request's own log line shows the Worker's console reaches us, so a warning would too.
    await expect.poll(() => worker.output(), { timeout: 5_000 }).toContain('"path":"/openapi.json"');
    expect(worker.output()).not.toContain("warm-up failed");
  });
});
