// .env holds DIRECT_URL for the Node scripts; wrangler would hand it to the Worker as a binding.
// Here a throwaway project has a .env with DIRECT_URL, so a leak shows (CI has no .env of its own,
// which is why test/worker/env.test.ts alone could never fail there).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serveWorker } from "@starter/local-neon";
import { afterAll, describe, expect, it } from "vitest";
import { unstable_startWorker } from "wrangler";

const dir = mkdtempSync(path.join(tmpdir(), "dot-env-"));
writeFileSync(
  path.join(dir, "wrangler.toml"),
  'name = "dot-env"\nmain = "worker.js"\ncompatibility_date = "2026-11-01"\n',
);
writeFileSync(
  path.join(dir, "worker.js"),
  "export default { fetch: (_req, env) => Response.json(Object.keys(env)) };\n",
);
writeFileSync(path.join(dir, ".env"), "DIRECT_URL=postgres://u:direct-secret@127.0.0.1:1/db\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bindingNames(start: () => Promise<{ origin: string; dispose(): Promise<void> }>): Promise<string[]> {
  const worker = await start();
  try {
    return (await (await fetch(worker.origin)).json()) as string[];
  } finally {
    await worker.dispose();
  }
}

describe("DIRECT_URL in .env", () => {
  it("reaches a Worker that wrangler serves without the guard (what the guard is for)", async () => {
    delete process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV;
    const names = await bindingNames(async () => {
      const worker = await unstable_startWorker({
        config: path.join(dir, "wrangler.toml"),
        dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "none", watch: false },
      });
      return { origin: (await worker.url).origin, dispose: () => worker.dispose() };
    });
    expect(names).toContain("DIRECT_URL");
  });

  it("never reaches the Worker that serveWorker starts (npm run dev, the tests, bench, reliability)", async () => {
    delete process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV;
    const names = await bindingNames(() =>
      serveWorker(undefined, { config: path.join(dir, "wrangler.toml"), logLevel: "none" }),
    );
    expect(names).not.toContain("DIRECT_URL");
  });

  it("never reaches the Worker under vitest: the config turns .env off before the plugin reads it", async () => {
    delete process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV;
    await import("../../vitest.config");
    expect(process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV).toBe("false");
  });
});
