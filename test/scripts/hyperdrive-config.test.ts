// The documented way to turn Hyperdrive on: uncomment wrangler.toml's [[hyperdrive]] block and set
// the id. Checked on a copy of the real wrangler.toml (beside it, so its relative paths hold):
// it deploys (dry run), and the local Worker then takes the Hyperdrive path to the local stack.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type LocalStack, serveWorker, startLocalStack } from "@starter/local-neon";
import { runProcess } from "@starter/prisma-offline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "./helpers.js";

const BLOCK = ["# [[hyperdrive]]", '# binding = "HYPERDRIVE"', '# id = "<your Hyperdrive id>"'].join("\n");
const config = path.join(ROOT, `.wrangler-hyperdrive-${process.pid}.toml`);
let stack: LocalStack;

beforeAll(async () => {
  const original = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  expect(original).toContain(BLOCK);
  const uncommented = BLOCK.replaceAll("# ", "").replace("<your Hyperdrive id>", "0123456789abcdef0123456789abcdef");
  writeFileSync(config, original.replace(BLOCK, uncommented));
  stack = await startLocalStack();
}, 60_000);
afterAll(async () => {
  rmSync(config, { force: true });
  await stack?.stop();
});

describe("wrangler.toml as committed", () => {
  it("binds no Hyperdrive, so a fork that does not use it deploys no placeholder", () => {
    expect(unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") }).hyperdrive).toEqual([]);
  });
});

describe("wrangler.toml with its [[hyperdrive]] block uncommented", () => {
  it("deploys (wrangler deploy --dry-run) with the binding", async () => {
    const wrangler = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
    const env = {
      ...process.env,
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false",
      WRANGLER_SEND_METRICS: "false",
      NO_COLOR: "1",
    };
    const r = await runProcess(process.execPath, [wrangler, "deploy", "--dry-run", "--config", config], {
      cwd: ROOT,
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/env\.HYPERDRIVE\b.*Hyperdrive/);
  }, 120_000);

  it("serves both database needs over the binding, pointed at the local stack", async () => {
    const before = stack.neon.counters();
    const worker = await serveWorker(stack, { config, bindings: { API_TOKEN: "t" }, logLevel: "none" });
    try {
      // Both needs (the statement and the transaction path) take the binding.
      for (const need of ["statement", "transaction"]) {
        expect(await (await fetch(`${worker.origin}/health?need=${need}`)).json()).toMatchObject({
          status: "ok",
          database: "up",
          transport: "hyperdrive",
        });
      }
    } finally {
      await worker.dispose();
    }
    const after = stack.neon.counters();
    expect(after.tcpOpened).toBeGreaterThan(before.tcpOpened);
    expect(after.wsOpened + after.httpRequests).toBe(before.wsOpened + before.httpRequests);
  });
});
