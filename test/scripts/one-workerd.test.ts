// The tests must run the runtime that ships: the workerd the vitest plugin starts (through its
// miniflare) is the one `wrangler dev` and `wrangler deploy` use. package.json's `overrides` pins
// the plugin's miniflare and wrangler to the project's; this fails when they drift apart again.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/** The workerd version installed where `fromPackage` resolves it (through its miniflare if asked). */
function workerdOf(fromPackage: string, viaMiniflare: boolean): string {
  // The package's directory (not every package exports its package.json).
  let from = createRequire(new URL(`../../node_modules/${fromPackage}/package.json`, import.meta.url));
  if (viaMiniflare) from = createRequire(from.resolve("miniflare/package.json"));
  return (JSON.parse(readFileSync(from.resolve("workerd/package.json"), "utf8")) as { version: string }).version;
}

describe("one workerd", () => {
  it("the vitest plugin's runtime is wrangler's", () => {
    const tests = workerdOf("@cloudflare/vitest-plugin", true);
    const wranglerDev = workerdOf("wrangler", true);
    const wranglerOwn = workerdOf("wrangler", false);
    expect({ tests, wranglerOwn }).toEqual({ tests: wranglerDev, wranglerOwn: wranglerDev });
  });
});
