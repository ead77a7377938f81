// The README's "Remove the demo", done to a copy of the project: with the users/posts files, their
// models, their two routes in src/app.ts, the seed's rows and test/worker/demo/ gone, Prisma Client
// generates; the Worker, the scripts and the Worker's tests type-check; and the machinery's tests
// (test/worker, on test/worker/fixture) pass in workerd on a fresh stack. So nothing the starter
// provides (middleware, warm-up, shared compiler, idempotency, jobs, errors, seed runner), nor its
// tests of them, names a demo model or route.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { runPrisma, runProcess } from "@starter/prisma-offline";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/** What the README says to delete, besides the models and the app's two lines. */
const DEMO_FILES = [
  "src/routes/users.ts",
  "src/routes/posts.ts",
  "src/schemas/users.ts",
  "src/schemas/posts.ts",
  "src/services/posts.ts",
  "test/worker/demo",
];

const dir = mkdtempSync(path.join(tmpdir(), "no-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edit(file: string, change: (text: string) => string): void {
  const at = path.join(dir, file);
  const before = readFileSync(at, "utf8");
  const after = change(before);
  expect(after, `${file} changed`).not.toBe(before);
  writeFileSync(at, after);
}

describe("removing the demo (README)", () => {
  it("leaves a Worker that generates and type-checks", async () => {
    const entries = ["src", "prisma", "test", "scripts", "dist", "prisma.config.ts", "tsconfig.json", "package.json"];
    for (const entry of [...entries, "vitest.config.ts", "wrangler.toml", "biome.jsonc"]) {
      cpSync(path.join(ROOT, entry), path.join(dir, entry), {
        recursive: true,
        filter: (source) => !source.includes(`${path.sep}generated`),
      });
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    for (const file of DEMO_FILES) rmSync(path.join(dir, file), { recursive: true });
    edit("src/app.ts", (text) =>
      text.replace(/^import \{ (users|posts) \} from .*\n/gm, "").replace(/\s*\.route\("\/(users|posts)", \w+\)/g, ""),
    );
    edit("prisma/schema.prisma", (text) =>
      text.replace(/^(model (User|Post)|enum (Role|PostStatus)) \{[\s\S]*?^\}\n/gm, ""),
    );
    expect(readFileSync(path.join(dir, "prisma/schema.prisma"), "utf8")).toMatch(/^model IdempotencyKey \{/m);
    edit("scripts/db/seed-data.ts", () => "export const seed = null;\n");

    const generated = await runPrisma(["generate"], { cwd: dir, quiet: true });
    expect(generated.code, generated.stderr).toBe(0);
    for (const project of ["tsconfig.json", "scripts/tsconfig.json", "test/worker/tsconfig.json"]) {
      const tsc = await runProcess(
        process.execPath,
        [path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", project],
        { cwd: dir, echo: false },
      );
      expect(tsc.code, `${project}: ${tsc.stdout}`).toBe(0);
    }
  }, 120_000);

  it("keeps the machinery's Worker tests green, in workerd against a fresh local stack", async () => {
    const vitest = await runProcess(
      process.execPath,
      [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "worker (postgres)"],
      // Not the outer run's VITEST_* settings: the copy's run is a run of its own.
      {
        cwd: dir,
        echo: false,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST"))),
      },
    );
    const output = stripVTControlCharacters(vitest.stdout + vitest.stderr);
    expect(vitest.code, output.slice(-4000)).toBe(0);
    // It ran the machinery's files, not nothing.
    for (const file of ["idempotency", "errors", "shared-compiler", "smoke"]) {
      expect(output).toContain(`test/worker/${file}.test.ts`);
    }
  }, 600_000);
});
