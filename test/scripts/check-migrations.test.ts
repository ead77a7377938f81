// `npm run db:check` (scripts/db/check-migrations.ts): the schema and the committed migrations agree,
// and a schema edited without its migration fails in one line that says what to run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nonEmptyLines, ROOT, runScript } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "db-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("db:check", () => {
  it("passes on the project as committed", async () => {
    const r = await runScript("scripts/db/check-migrations.ts", [], {});
    expect(r.code, r.stderr).toBe(0);
  });

  it("fails in one line when a model changed without a migration", async () => {
    const schema = readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8");
    const drifted = schema.replace(/^model User \{$/m, "model User {\n  nickname String?");
    expect(drifted).not.toBe(schema);
    const file = path.join(dir, "schema.prisma");
    writeFileSync(file, drifted);
    const r = await runScript("scripts/db/check-migrations.ts", [file], {});
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stderr)).toEqual([
      `[db:check] ${file} and prisma/migrations/ disagree: with npm run dev running, run npm run prisma -- migrate dev --name <what-changed> and commit the new migration`,
    ]);
  });
});
