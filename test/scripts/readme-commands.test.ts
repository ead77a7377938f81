// Every command the README names is real, and every file it or docs/ links to exists: each `npm run <script>` is one of package.json's
// scripts, and each `npx wrangler <command> --flag` is a command of the pinned wrangler that
// takes those flags. (The example requests run for real in readme-examples.test.ts; the
// commands that need a Cloudflare or Neon account cannot run offline, so their shape is checked.)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const scripts = Object.keys(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** Every command in code: fenced blocks' lines and inline `code`, comments and prompts cut off. */
const commands = [
  ...[...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n")),
  ...[...readme.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!),
]
  .flatMap((line) => line.split(/&&|;/))
  .map((line) => line.replace(/\s+#.*$/, "").trim());

const npmRuns = [
  ...new Set(commands.flatMap((c) => [...c.matchAll(/\bnpm run (?:-s |--silent )?(\S+)/g)].map((m) => m[1]!))),
];
const wranglerCalls = [
  ...new Set(commands.flatMap((c) => [...c.matchAll(/\bnpx wrangler ([^'"<…]+)/g)].map((m) => m[1]!.trim()))),
];

describe("the README's commands", () => {
  it("name only scripts package.json has", () => {
    expect(npmRuns.length).toBeGreaterThan(5);
    expect(npmRuns.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it.each(wranglerCalls)("npx wrangler %s: a command the pinned wrangler has, with those flags", (call) => {
    const words = call.split(/\s+/);
    const command = words.filter((w) => /^[a-z][\w-]*$/.test(w));
    const flags = words.filter((w) => w.startsWith("--")).map((w) => w.split("=")[0]!);
    const help = spawnSync(process.execPath, [WRANGLER, ...command.slice(0, 2), "--help"], {
      encoding: "utf8",
      env: { ...process.env, CI: "true" },
    });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).not.toMatch(/Unknown (argument|command)/);
    for (const flag of flags) expect(help.stdout, `${call}: ${flag}`).toContain(flag);
  });
});

describe("the README's and docs' links", () => {
  const pages = ["README.md", ...readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)];
  it.each(pages)("%s links only to files that exist", (page) => {
    const text = readFileSync(path.join(ROOT, page), "utf8");
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((t) => !/^https?:/.test(t));
    const missing = targets.filter((t) => !existsSync(path.join(ROOT, path.dirname(page), t)));
    expect(missing).toEqual([]);
  });
});
