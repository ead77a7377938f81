// /docs in a real headless Chromium, against the Worker served by wrangler on 127.0.0.1 (with its
// static assets). No database: /docs, its assets and /openapi.json never touch it.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type LocalWorker, serveWorker } from "@starter/local-neon";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyDocsUi } from "../../scripts/docs-ui";

/** CHROMIUM_PATH, else a Chromium or Chrome on PATH or where Linux and macOS install them. */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
  const onPath = (process.env.PATH ?? "").split(delimiter).flatMap((dir) => names.map((n) => join(dir, n)));
  const usual = [
    "/snap/bin/chromium",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  ];
  return [...onPath, ...usual].find((path) => existsSync(path));
}

const CHROMIUM = findChromium();
// CI always runs it (.ci/run installs Debian's chromium); elsewhere a missing browser skips it, saying so.
const NO_BROWSER = !CHROMIUM && !process.env.CI;
if (NO_BROWSER) {
  console.warn(
    "[docs test] skipped: no Chromium or Chrome on PATH or in the usual places; install one (apt-get install chromium) or set CHROMIUM_PATH",
  );
}

describe.skipIf(NO_BROWSER)("GET /docs in headless Chromium", () => {
  let worker: LocalWorker;
  let browser: BrowserContext;
  let origin: string;
  const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));

  beforeAll(async () => {
    if (!CHROMIUM || !existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found (${CHROMIUM ?? "not on PATH"}). Install it: apt-get install -y chromium (or set CHROMIUM_PATH).`,
      );
    }
    copyDocsUi();
    worker = await serveWorker(undefined, {
      bindings: { DATABASE_URL: "postgresql://docs:docs@127.0.0.1:1/none", API_TOKEN: "docs-test-token" },
    });
    origin = worker.origin;
    // A fresh --user-data-dir: playwright takes it as launchPersistentContext's first argument.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
    rmSync(profile, { recursive: true, force: true });
  });

  /** Every operation /openapi.json lists ("GET /users/{id}"): test/worker/access.test.ts checks
   * that this is exactly what the app registers, so nothing here names the demo's routes. */
  const documentedOperations = async () => {
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
  };

  it("serves an OpenAPI 3.1 document with the health check in it", async () => {
    expect(await documentedOperations()).toContain("GET /health");
  });

  it("renders every documented operation with nothing loaded from outside the Worker", async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on("request", (req) => {
      if (!req.url().startsWith(origin) && !req.url().startsWith("data:")) foreign.push(req.url());
    });
    await page.goto(`${origin}/docs`);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    const operations = await page.$$eval(".opblock", (blocks) =>
      blocks.map(
        (b) =>
          `${b.querySelector(".opblock-summary-method")?.textContent} ${b.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`,
      ),
    );
    expect(operations.sort()).toEqual((await documentedOperations()).sort());
    expect(foreign).toEqual([]);
    await page.close();
  });
});
