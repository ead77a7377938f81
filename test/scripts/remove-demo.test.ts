// The README's "Remove the demo", done to a copy of the project: with the users/posts files, their
// models (and a real `migrate dev` dropping them), their two routes in src/app.ts, the seed's rows
// and the demo's tests (test/*/demo/) gone, Prisma Client generates; every TypeScript project
// type-checks; and the tests that could lean on the demo pass in the copy: the machinery's Worker
// tests (test/worker, on test/worker/fixture) in workerd, npm run dev's, db:migrate's and the seed
// runner's, the offline Prisma engine's, /docs in Chromium, the bench's tests (budgets, startup,
// isolation; the twins' skips, as does the reliability traffic run, saying the demo is gone). So nothing the starter
// provides names a demo model or route.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { createDatabase, startLocalPostgres, uniqueName } from "@starter/local-postgres";
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
  "src/services/users.ts",
  "src/middleware/current-user.ts",
  "test/worker/demo",
  "test/scripts/demo",
];

/** Run in the copy after the removal (with test/worker/, the machinery's Worker tests). */
const COPY_TESTS = [
  "test/scripts/seed.test.ts",
  "test/scripts/migrate-script.test.ts",
  "tools/prisma-offline/test/",
  "test/docs/",
  "test/scripts/dev-command.test.ts",
  "tools/bench/test/",
  "tools/reliability/test/traffic.test.ts",
];

/**
 * The copy's node_modules: the project's packages, but its own workspace packages (@starter/*, the
 * copy's tools/), so that what they serve and build (wrangler dev, the deploy bundle) is the copy.
 */
function linkNodeModules(): void {
  const modules = path.join(dir, "node_modules");
  mkdirSync(path.join(modules, "@starter"), { recursive: true });
  for (const entry of readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry !== "@starter") symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
  for (const entry of readdirSync(path.join(ROOT, "node_modules/@starter"))) {
    symlinkSync(path.join(dir, "tools", entry), path.join(modules, "@starter", entry));
  }
}

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
    const entries = ["src", "prisma", "test", "scripts", "tools", "dist", "prisma.config.ts", "tsconfig.json"];
    for (const entry of [
      ...entries,
      "package.json",
      "vitest.config.ts",
      "wrangler.toml",
      "biome.jsonc",
      ".dev.vars.example",
    ]) {
      cpSync(path.join(ROOT, entry), path.join(dir, entry), {
        recursive: true,
        filter: (source) => !source.includes(`${path.sep}generated`),
      });
    }
    linkNodeModules();
    for (const file of DEMO_FILES) rmSync(path.join(dir, file), { recursive: true });
    edit("src/app.ts", (text) =>
      text
        .replace(/^import \{ (users|posts|movePostQueries) \} from .*\n/gm, "")
        .replace(/\s*\.route\("\/(users|posts)", \w+\)/g, "")
        .replace(/, movePostQueries\]/, "]"),
    );
    edit("prisma/schema.prisma", (text) =>
      text.replace(/^(model (User|Post)|enum (Role|PostStatus)) \{[\s\S]*?^\}\n/gm, ""),
    );
    expect(readFileSync(path.join(dir, "prisma/schema.prisma"), "utf8")).toMatch(/^model IdempotencyKey \{/m);
    edit("scripts/db/seed-data.ts", () => "export const seed = null;\n");

    // `npm run prisma -- migrate dev --name remove_demo`, on a database of its own.
    const pgServer = await startLocalPostgres({ kind: "postgres" });
    try {
      const env = { DIRECT_URL: await createDatabase(pgServer.url, uniqueName("no_demo")), CI: "true" };
      for (const args of [
        ["migrate", "deploy"],
        ["migrate", "dev", "--name", "remove_demo"],
      ]) {
        const r = await runPrisma(args, { cwd: dir, quiet: true, env });
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
    } finally {
      await pgServer.stop();
    }
    const added = readdirSync(path.join(dir, "prisma/migrations")).filter((m) => m.endsWith("_remove_demo"));
    expect(added).toHaveLength(1);
    expect(readFileSync(path.join(dir, "prisma/migrations", added[0]!, "migration.sql"), "utf8")).toMatch(
      /DROP TABLE "users"/,
    );

    const generated = await runPrisma(["generate"], { cwd: dir, quiet: true });
    expect(generated.code, generated.stderr).toBe(0);
    for (const project of [
      "tsconfig.json",
      "scripts/tsconfig.json",
      "test/tsconfig.json",
      "test/worker/tsconfig.json",
      "tools/tsconfig.json",
      "tools/bench/worker/tsconfig.json",
    ]) {
      const tsc = await runProcess(
        process.execPath,
        [path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", project],
        { cwd: dir, echo: false },
      );
      expect(tsc.code, `${project}: ${tsc.stdout}`).toBe(0);
    }
  }, 120_000);

  it("keeps the machinery's tests green on the copy: Worker, dev, migrate, seed, Prisma engine, /docs, bench, reliability", async () => {
    const projects = [
      "worker (postgres)",
      "speed layer (postgres)",
      "scripts",
      "prisma-offline",
      "docs",
      "bench",
      "reliability",
    ].flatMap((p) => ["--project", p]);
    const vitest = await runProcess(
      process.execPath,
      [
        path.join(ROOT, "node_modules/vitest/vitest.mjs"),
        "run",
        "--reporter=verbose",
        ...projects,
        "test/worker/",
        ...COPY_TESTS,
      ],
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
    for (const file of ["idempotency", "errors", "speed/shared-compiler", "auth-jwt", "smoke"]) {
      expect(output).toContain(`test/worker/${file}.test.ts`);
    }
    for (const file of COPY_TESTS) expect(output).toContain(file);
    // The traffic run skipped because the demo's routes are gone, and said so (a skip's note).
    expect(output).toMatch(/the load and the fuzz drive the demo's routes, and the app has no \/users/);
  }, 600_000);

  it("npm run bench, reliability:load and reliability:fuzz, which drive the demo's endpoints, stop in one line", async () => {
    for (const [script, error] of [
      ["tools/bench/src/index.ts", /^\[bench\] error: the bench measures the demo's users\/posts endpoints/],
      [
        "tools/reliability/src/load-cli.ts",
        /^\[reliability:load\] error: the load and the fuzz drive the demo's routes/,
      ],
      [
        "tools/reliability/src/fuzz-cli.ts",
        /^\[reliability:fuzz\] error: the load and the fuzz drive the demo's routes/,
      ],
    ] as const) {
      const run = await runProcess(process.execPath, ["--import", "tsx", script], { cwd: dir, echo: false });
      expect({ script, code: run.code }).toEqual({ script, code: 1 });
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(error)]);
    }
  }, 180_000);
});
