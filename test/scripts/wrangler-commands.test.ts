// The plain wrangler commands a user types (README troubleshooting): `npx wrangler deploy
// --dry-run` and `npx wrangler dev` go through wrangler.toml's [build] hook
// (scripts/wrangler-build.mjs), and `npx wrangler types` never types the Worker from .env.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "wrangler-commands-"));
  dirs.push(dir);
  return dir;
};
/** The environment of a user's shell: none of the starter's own markers. */
const userEnv = (extra: Record<string, string> = {}) => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ["STARTER_LOCAL_STACK", "CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV", "WRANGLER_COMMAND"]) {
    if (!(key in extra)) delete env[key];
  }
  return env;
};

/**
 * A project with the real hook and a stand-in `npm run build` that records each run and writes
 * what the real one does (Prisma Client's entry, the /docs assets).
 */
function projectWithHook(): { dir: string; hook: (env: Record<string, string>) => { out: string; builds: number } } {
  const dir = tempDir();
  mkdirSync(path.join(dir, "scripts"));
  mkdirSync(path.join(dir, "prisma"));
  copyFileSync(path.join(ROOT, "scripts/wrangler-build.mjs"), path.join(dir, "scripts/wrangler-build.mjs"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  writeFileSync(path.join(dir, "prisma/schema.prisma"), "// schema\n");
  const build = [
    "const fs = require('node:fs');",
    "fs.appendFileSync('builds.log', 'x');",
    "fs.mkdirSync('src/generated/prisma', { recursive: true });",
    "fs.writeFileSync('src/generated/prisma/client.ts', '');",
    "fs.mkdirSync('dist/assets/docs-ui', { recursive: true });",
  ].join(" ");
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "hook", private: true, scripts: { build: `node -e "${build}"` } }),
  );
  const hook = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ["scripts/wrangler-build.mjs"], {
      cwd: dir,
      env: userEnv(env),
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const log = path.join(dir, "builds.log");
    return { out: r.stdout.trim(), builds: existsSync(log) ? readFileSync(log, "utf8").length : 0 };
  };
  return { dir, hook };
}

describe("wrangler's [build] hook (scripts/wrangler-build.mjs)", () => {
  it("is what wrangler.toml runs", () => {
    expect(readFileSync(path.join(ROOT, "wrangler.toml"), "utf8")).toMatch(
      /\[build\]\ncommand = "node scripts\/wrangler-build\.mjs"/,
    );
  });

  it("builds the Worker's inputs when missing or older than the schema, and only then", () => {
    const { dir, hook } = projectWithHook();
    expect(hook({ WRANGLER_COMMAND: "deploy" }).builds).toBe(1);
    expect(hook({ WRANGLER_COMMAND: "deploy" }).builds).toBe(1);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(dir, "prisma/schema.prisma"), later, later);
    expect(hook({ WRANGLER_COMMAND: "versions upload" }).builds).toBe(2);
    rmSync(path.join(dir, "dist"), { recursive: true });
    expect(hook({ WRANGLER_COMMAND: "deploy" }).builds).toBe(3);
  });

  it("under a plain `wrangler dev` with no database, says in one line to use npm run dev", () => {
    const { dir, hook } = projectWithHook();
    expect(hook({ WRANGLER_COMMAND: "dev" }).out).toBe(
      "warning: `wrangler dev` alone has no database here (routes answer 503): use `npm run dev` (the local Neon, then wrangler dev), or set DATABASE_URL in .dev.vars (.dev.vars.example)",
    );
    // A .env that wrangler would hand to the Worker is named too; .env.example's line silences it.
    writeFileSync(path.join(dir, ".env"), "DIRECT_URL=postgres://u:p@127.0.0.1:1/db\n");
    expect(hook({ WRANGLER_COMMAND: "dev" }).out.split("\n")[1]).toMatch(
      /^warning: wrangler hands \.env \(DIRECT_URL\) to the Worker: add CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false/,
    );
    expect(
      hook({ WRANGLER_COMMAND: "dev", CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false" }).out.split("\n"),
    ).toHaveLength(1);
    // Quiet when there is a database: the user's own (.dev.vars), or the local stack (npm run dev).
    expect(hook({ WRANGLER_COMMAND: "dev", STARTER_LOCAL_STACK: "1" }).out).toBe("");
    writeFileSync(path.join(dir, ".dev.vars"), "DATABASE_URL=postgres://u:p@ep-x-pooler.example/db\n");
    expect(hook({ WRANGLER_COMMAND: "dev" }).out).toBe("");
    // And deploys are not dev: no warning.
    rmSync(path.join(dir, ".dev.vars"));
    expect(hook({ WRANGLER_COMMAND: "deploy" }).out).toBe("");
  });
});

describe("plain wrangler commands", () => {
  it("`wrangler deploy --dry-run` runs the hook and bundles", () => {
    const outdir = tempDir();
    const r = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], {
      cwd: ROOT,
      env: userEnv({ CI: "true" }),
      encoding: "utf8",
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("[custom build] Running: node scripts/wrangler-build.mjs");
    expect(r.stdout).toContain("--dry-run: exiting now.");
  });

  it("`wrangler types` with .env.example's line types nothing from .env (no DIRECT_URL)", () => {
    const dir = tempDir();
    copyFileSync(path.join(ROOT, "wrangler.toml"), path.join(dir, "wrangler.toml"));
    const example = readFileSync(path.join(ROOT, ".env.example"), "utf8");
    const types = (dotEnv: string) => {
      writeFileSync(path.join(dir, ".env"), dotEnv);
      const r = spawnSync(process.execPath, [WRANGLER, "types", "env.d.ts", "--include-runtime=false"], {
        cwd: dir,
        env: userEnv({ CI: "true" }),
        encoding: "utf8",
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      return readFileSync(path.join(dir, "env.d.ts"), "utf8");
    };
    const filled = example.replace(/^DIRECT_URL=$/m, "DIRECT_URL=postgres://u:direct-secret@127.0.0.1:1/db");
    expect(filled).toContain("direct-secret");
    expect(types(filled)).not.toContain("DIRECT_URL");
    // The control: without that line wrangler does type it.
    expect(types(filled.replace(/^CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false$/m, ""))).toContain("DIRECT_URL");
  });
});
