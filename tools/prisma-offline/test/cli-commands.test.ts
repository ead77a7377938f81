// Every Prisma CLI command a user of this starter runs, on the wasm stand-in, each checked by its
// effect on the files or the database (not only by its exit code). A copy of the project's prisma/
// in a throwaway directory, so that migrate dev and format can change it. migrate status and diff
// are in schema-engine.test.ts, db pull in introspection.test.ts.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createDatabase,
  findFreePort,
  type LocalPostgres,
  query,
  startLocalPostgres,
  uniqueName,
} from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MISSING_DIRECT_URL, needsDirectUrl, prismaEnv, runPrisma } from "../src/cli.js";
import { PROJECT_ROOT } from "../src/schema-engine-path.js";

let pgServer: LocalPostgres;
const dirs: string[] = [];

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
});
afterAll(async () => {
  await pgServer?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A project of its own: the starter's prisma/ and a prisma.config.ts reading DIRECT_URL, as ours does. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "prisma-cli-"));
  dirs.push(dir);
  cpSync(path.join(PROJECT_ROOT, "prisma"), path.join(dir, "prisma"), { recursive: true });
  writeFileSync(
    path.join(dir, "prisma.config.ts"),
    `export default { schema: "prisma/schema.prisma", migrations: { path: "prisma/migrations" }, datasource: { url: process.env.DIRECT_URL } };\n`,
  );
  return dir;
}

const fresh = () => createDatabase(pgServer.url, uniqueName("cli"));
const prisma = (cwd: string, args: string[], url?: string) =>
  runPrisma(args, { cwd, quiet: true, env: { DIRECT_URL: url, CI: "true" } });
const schemaOf = (dir: string) => path.join(dir, "prisma/schema.prisma");
const columnsOf = async (url: string, table: string) =>
  (
    await query<{ column_name: string }>(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}'`,
    )
  ).map((r) => r.column_name);
/** A row of the machinery's own table, which every fork keeps. */
const insertKey = (key: string) =>
  `INSERT INTO idempotency_keys (caller, route, key, fingerprint, response_status, response_headers, response_body) VALUES ('c', 'POST /x', '${key}', 'f', 201, '{}', '')`;
const migrationsOf = (dir: string) => readdirSync(path.join(dir, "prisma/migrations")).filter((n) => /^\d/.test(n));

/** The machinery's IdempotencyKey model (the demo's may be gone) with one more column. */
function addColumn(dir: string, line: string): void {
  const schema = readFileSync(schemaOf(dir), "utf8");
  writeFileSync(schemaOf(dir), schema.replace(/model IdempotencyKey \{\n/, `model IdempotencyKey {\n  ${line}\n`));
}

describe("the Prisma CLI on the stand-in", () => {
  it("validate: passes the schema, and names the error in a broken one", async () => {
    const dir = project();
    expect((await prisma(dir, ["validate"])).stdout).toMatch(/is valid/);
    addColumn(dir, "nickname Strin");
    const broken = await prisma(dir, ["validate"]);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/Type "Strin" is neither a built-in type/);
  });

  it("format: --check fails on an unformatted schema, format fixes it", async () => {
    const dir = project();
    addColumn(dir, "nickname     String?");
    expect((await prisma(dir, ["format", "--check"])).code).not.toBe(0);
    expect((await prisma(dir, ["format"])).code).toBe(0);
    expect((await prisma(dir, ["format", "--check"])).code).toBe(0);
  });

  it("generate: writes both clients, with no DIRECT_URL", async () => {
    const dir = project();
    const r = await prisma(dir, ["generate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, "src/generated/prisma/client.ts"))).toBe(true);
    expect(existsSync(path.join(dir, "scripts/generated/prisma/client.ts"))).toBe(true);
  });

  it("migrate deploy, then migrate dev: a schema change becomes a new migration, applied", async () => {
    const dir = project();
    const url = await fresh();
    expect((await prisma(dir, ["migrate", "deploy"], url)).code).toBe(0);
    const before = migrationsOf(dir);
    addColumn(dir, "nickname String?");
    const r = await prisma(dir, ["migrate", "dev", "--name", "add_nickname"], url);
    expect(r.code, r.stderr).toBe(0);
    const added = migrationsOf(dir).filter((m) => !before.includes(m));
    expect(added).toEqual([expect.stringMatching(/_add_nickname$/)]);
    expect(readFileSync(path.join(dir, "prisma/migrations", added[0]!, "migration.sql"), "utf8")).toMatch(
      /ALTER TABLE "idempotency_keys" ADD COLUMN\s+"nickname" TEXT/,
    );
    expect(await columnsOf(url, "idempotency_keys")).toContain("nickname");
    const shadows = await query(
      pgServer.url,
      "SELECT 1 FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    expect(shadows).toEqual([]);
  });

  it("migrate reset --force: drops the data and re-applies every migration", async () => {
    const dir = project();
    const url = await fresh();
    await prisma(dir, ["migrate", "deploy"], url);
    await query(url, insertKey("reset"));
    const r = await prisma(dir, ["migrate", "reset", "--force"], url);
    expect(r.code, r.stderr).toBe(0);
    expect(await query(url, "SELECT 1 FROM idempotency_keys")).toEqual([]);
    expect(await query(url, "SELECT 1 FROM _prisma_migrations")).toHaveLength(migrationsOf(dir).length);
  });

  it("db execute and migrate resolve --applied: baselining a database that already has the tables", async () => {
    const dir = project();
    const url = await fresh();
    const [init] = migrationsOf(dir);
    const file = path.join("prisma/migrations", init!, "migration.sql");
    const executed = await prisma(dir, ["db", "execute", "--file", file], url);
    expect(executed.code, executed.stderr).toBe(0);
    const created = [...readFileSync(path.join(dir, file), "utf8").matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]);
    expect(created.length).toBeGreaterThan(0);
    for (const table of created) expect(await columnsOf(url, table!)).not.toEqual([]);
    const resolved = await prisma(dir, ["migrate", "resolve", "--applied", init!], url);
    expect(resolved.code, resolved.stderr).toBe(0);
    // Recorded, not run again: deploy applies only the ones after it.
    const deploy = await prisma(dir, ["migrate", "deploy"], url);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).not.toContain(init!);
    expect((await prisma(dir, ["migrate", "status"], url)).stdout).toContain("Database schema is up to date!");
    // A second resolve of the same one is refused (P3008), non-zero.
    expect((await prisma(dir, ["migrate", "resolve", "--applied", init!], url)).code).not.toBe(0);
  });

  it("migrate deploy runs a migration whole, as the native engine does: a function body's ';' stay in it", async () => {
    // adapter-pg's own executeScript splits a script on every ";" (src/schema-engine/adapter.ts).
    const dir = project();
    const url = await fresh();
    const migration = path.join(dir, "prisma/migrations/29991231000000_plpgsql_function");
    mkdirSync(migration);
    writeFileSync(
      path.join(migration, "migration.sql"),
      [
        "-- A comment; with a semicolon.",
        'CREATE FUNCTION "twice"(n integer) RETURNS text LANGUAGE plpgsql AS $$',
        "DECLARE r integer;",
        "BEGIN r := n * 2; RETURN r || ';'; END",
        "$$;",
        "",
      ].join("\n"),
    );
    const deploy = await prisma(dir, ["migrate", "deploy"], url);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await query(url, "SELECT twice(21) AS r")).toEqual([{ r: "42;" }]);
  });

  it("db push: applies a schema change without a migration", async () => {
    const dir = project();
    const url = await fresh();
    addColumn(dir, "pushed Int?");
    const r = await prisma(dir, ["db", "push", "--accept-data-loss"], url);
    expect(r.code, r.stderr).toBe(0);
    expect(await columnsOf(url, "idempotency_keys")).toContain("pushed");
  });

  it("studio: serves, and answers queries against DIRECT_URL", async () => {
    const dir = project();
    const url = await fresh();
    await prisma(dir, ["migrate", "deploy"], url);
    await query(url, insertKey("studio@example.test"));
    const port = await findFreePort();
    const studio: ChildProcess = spawn(
      process.execPath,
      [
        path.join(PROJECT_ROOT, "node_modules/prisma/build/index.js"),
        "studio",
        "--port",
        String(port),
        "--browser",
        "none",
      ],
      { cwd: dir, env: prismaEnv({ DIRECT_URL: url, CI: "true" }), stdio: "ignore" },
    );
    try {
      const origin = `http://localhost:${port}`;
      let page: Response | undefined;
      for (let i = 0; i < 100 && !page; i++) {
        page = await fetch(origin).catch(() => undefined);
        if (!page) await new Promise((r) => setTimeout(r, 200));
      }
      expect(page?.status).toBe(200);
      const res = await fetch(`${origin}/bff`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          procedure: "query",
          query: { sql: "SELECT key FROM idempotency_keys", parameters: [] },
        }),
      });
      expect(await res.text()).toContain("studio@example.test");
    } finally {
      studio.kill("SIGTERM");
    }
  });
});

describe("npm run prisma without DIRECT_URL", () => {
  const cli = path.join(PROJECT_ROOT, "tools/prisma-offline/src/cli.ts");
  const tsx = path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");
  /** The launcher in a directory with no .env (a fresh one unless given), DIRECT_URL unset. */
  const run = (args: string[], cwd = mkdtempSync(path.join(tmpdir(), "prisma-no-env-"))) => {
    dirs.push(cwd);
    const env = { ...process.env };
    delete env.DIRECT_URL;
    return spawnSync(process.execPath, [tsx, cli, ...args], { cwd, env, encoding: "utf8" });
  };

  it("while npm run dev runs, uses its database (published beside its kept data), and only then", async () => {
    const dir = project();
    chmodSync(dir, 0o755); // PostgreSQL may run as another user (root runs it as postgres)
    // What npm run dev starts: a database kept under .local, in this (the test's) process.
    const dev = await startLocalPostgres({ kind: "postgres", dataRoot: path.join(dir, ".local") });
    try {
      const res = run(["migrate", "deploy"], dir);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).toContain("[prisma] DIRECT_URL is not set: using the database of the running npm run dev");
      expect(res.stderr).not.toContain("local-password"); // redacted
      expect(await query(dev.url, "SELECT 1 FROM _prisma_migrations")).toHaveLength(migrationsOf(dir).length);
    } finally {
      await dev.stop();
    }
    expect(run(["migrate", "status"], dir).stderr.trim()).toBe(`[prisma] error: ${MISSING_DIRECT_URL}`);
  });

  it.each(["migrate status", "db push", "studio"])("%s: one line naming DIRECT_URL and .env, exit 1", (command) => {
    const res = run(command.split(" "));
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split("\n")).toEqual([`[prisma] error: ${MISSING_DIRECT_URL}`]);
    expect(MISSING_DIRECT_URL).toMatch(/DIRECT_URL is not set.*\.env/);
  });

  it("leaves the commands that need no database alone", () => {
    expect(
      ["generate", "validate", "format", "migrate diff", "--help"].map((a) => needsDirectUrl(a.split(" "))),
    ).toEqual([false, false, false, false, false]);
  });
});
