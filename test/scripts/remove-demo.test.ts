// The README's "Remove the demo", done to a copy of src/ and prisma/: with the users/posts files,
// their models and their two lines in src/app.ts gone, Prisma Client generates and the Worker
// type-checks. So nothing the starter provides (middleware, warm-up, shared compiler, idempotency,
// jobs, errors) names a demo model or route.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
    for (const entry of ["src", "prisma", "prisma.config.ts", "tsconfig.json", "package.json"]) {
      cpSync(path.join(ROOT, entry), path.join(dir, entry), {
        recursive: true,
        filter: (source) => !source.includes(`${path.sep}generated`),
      });
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    for (const file of DEMO_FILES) rmSync(path.join(dir, file));
    edit("src/app.ts", (text) =>
      text
        .replace(/^import \{ (users|posts) \} from .*\n/gm, "")
        .replace(/^\s*\.route\("\/(users|posts)", \w+\)\n/gm, ""),
    );
    edit("prisma/schema.prisma", (text) =>
      text.replace(/^(model (User|Post)|enum (Role|PostStatus)) \{[\s\S]*?^\}\n/gm, ""),
    );
    expect(readFileSync(path.join(dir, "prisma/schema.prisma"), "utf8")).toMatch(/^model IdempotencyKey \{/m);

    const generated = await runPrisma(["generate"], { cwd: dir, quiet: true });
    expect(generated.code, generated.stderr).toBe(0);
    const tsc = await runProcess(
      process.execPath,
      [path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"],
      { cwd: dir, echo: false },
    );
    expect(tsc.code, tsc.stdout).toBe(0);
  }, 120_000);
});
