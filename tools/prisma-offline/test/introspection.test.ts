// "Start from an existing Neon database": `prisma db pull` on the wasm stand-in, against a real
// Postgres holding what existing databases hold. It used to panic inside the engine on the first
// CHECK constraint and then exit 0 having printed and written nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDatabase, type LocalPostgres, query, startLocalPostgres, uniqueName } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../src/cli.js";

let pgServer: LocalPostgres;
let url: string;

const EXISTING = `
  CREATE TYPE mood AS ENUM ('happy', 'sad');
  CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0), mood mood);
  CREATE TABLE memberships (account_id int REFERENCES accounts(id), team text, PRIMARY KEY (account_id, team));
  CREATE VIEW rich AS SELECT id FROM accounts WHERE balance > 100;
`;

const dirs: string[] = [];

/** A throwaway project whose prisma.config.ts points the CLI at DIRECT_URL (removed after the file). */
function project(previewFeatures: string[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), "db-pull-"));
  dirs.push(dir);
  const generator = previewFeatures.length
    ? `generator client {\n  provider = "prisma-client"\n  output = "./generated"\n  previewFeatures = ${JSON.stringify(previewFeatures)}\n}\n`
    : "";
  writeFileSync(path.join(dir, "schema.prisma"), `${generator}datasource db {\n  provider = "postgresql"\n}\n`);
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    `export default { schema: "schema.prisma", datasource: { url: process.env.DIRECT_URL } };\n`,
  );
  return dir;
}

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
  url = await createDatabase(pgServer.url, uniqueName("pull"));
  await query(url, EXISTING);
});
afterAll(async () => {
  await pgServer?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("prisma db pull on the stand-in", () => {
  it("--print: CHECK constraints, enums, composite and foreign keys", async () => {
    const r = await runPrisma(["db", "pull", "--print"], { cwd: project(), env: { DIRECT_URL: url }, quiet: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model accounts \{[\s\S]*balance\s+Int[\s\S]*mood\s+mood\?/);
    expect(r.stdout).toMatch(/This table contains check constraints/);
    expect(r.stdout).toMatch(/model memberships \{[\s\S]*@@id\(\[account_id, team\]\)/);
    expect(r.stdout).toMatch(/@relation\(fields: \[account_id\], references: \[id\]/);
    expect(r.stdout).toMatch(/enum mood \{\s+happy\s+sad\s+\}/);
  });

  it("writes the schema, and pulls views with the views preview feature", async () => {
    const dir = project(["views"]);
    const r = await runPrisma(["db", "pull"], { cwd: dir, env: { DIRECT_URL: url }, quiet: true });
    expect(r.code, r.stderr).toBe(0);
    const schema = readFileSync(path.join(dir, "schema.prisma"), "utf8");
    expect(schema).toMatch(/model accounts \{/);
    expect(schema).toMatch(/view rich \{/);
  });

  it("an engine error exits non-zero, its message in one line", async () => {
    const down = new URL(url);
    down.port = "9";
    const r = await runPrisma(["db", "pull", "--print"], {
      cwd: project(),
      env: { DIRECT_URL: down.href },
      quiet: true,
    });
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/P1001|Can't reach database server/);
  });
});
