// `npm run db:migrate` (scripts/db/migrate.ts) as a real child process.
import { readdirSync } from "node:fs";
import path from "node:path";
import { type LocalPostgres, startLocalPostgres } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../scripts/db/migrate.js";
import { closedPort, createDatabase, nonEmptyLines, query, ROOT, runScript, uniqueName } from "./helpers.js";

const SCRIPT = "scripts/db/migrate.ts";
const MIGRATIONS = readdirSync(path.join(ROOT, "prisma/migrations"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

let pgServer: LocalPostgres;

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
});

afterAll(async () => {
  await pgServer?.stop();
});

describe("db:migrate refuses bad URLs", () => {
  it("fails with one clear line when DIRECT_URL is missing", async () => {
    const r = await runScript(SCRIPT, [], { DIRECT_URL: undefined });
    expect(r.code).not.toBe(0);
    expect(nonEmptyLines(r.stderr)).toEqual([expect.stringMatching(/DIRECT_URL is not set/)]);
  });

  it("refuses a Neon -pooler host and explains why", async () => {
    const r = await runScript(SCRIPT, [], {
      DIRECT_URL:
        "postgresql://app:s3cret-pw@ep-calm-sun-123456-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require",
    });
    expect(r.code).not.toBe(0);
    const lines = nonEmptyLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/-pooler/);
    expect(lines[0]).toMatch(/prepared statement "s0" already exists/);
    expect(lines[0]).toMatch(/advisory-lock/);
    expect(lines[0]).toMatch(/direct host/);
    expect(r.stdout + r.stderr).not.toContain("s3cret-pw");
  });

  it("refuses pgbouncer=true", async () => {
    const r = await runScript(SCRIPT, [], { DIRECT_URL: "postgresql://app:pw@db.internal:6432/app?pgbouncer=true" });
    expect(r.code).not.toBe(0);
    expect(nonEmptyLines(r.stderr)).toEqual([expect.stringMatching(/pgbouncer=true.*PgBouncer/)]);
  });
});

describe("db:migrate against an unreachable host", () => {
  it("retries a bounded number of times, then fails with one line", async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await runScript(SCRIPT, ["--attempts", "3", "--backoff-ms", "20"], {
      DIRECT_URL: `postgresql://app:hunter2-pw@127.0.0.1:${port}/app`,
    });
    expect(r.code).not.toBe(0);
    const progress = nonEmptyLines(r.stdout).filter((l) => /attempt \d+\/3/.test(l));
    expect(progress).toHaveLength(3);
    expect(progress[0]).toContain("connect_timeout=10"); // added because the URL had none
    const errors = nonEmptyLines(r.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not reachable .* after 3 attempts .*ECONNREFUSED/);
    expect(r.stdout + r.stderr).not.toContain("hunter2-pw");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("reads attempts/backoff from the environment too", async () => {
    const port = await closedPort();
    const r = await runScript(SCRIPT, [], {
      DIRECT_URL: `postgresql://app:pw@127.0.0.1:${port}/app`,
      DB_MIGRATE_ATTEMPTS: "2",
      DB_MIGRATE_BACKOFF_MS: "10",
    });
    expect(r.code).not.toBe(0);
    expect(nonEmptyLines(r.stdout).filter((l) => /attempt \d+\/2/.test(l))).toHaveLength(2);
  });
});

describe("db:migrate against Postgres", () => {
  it("applies the migrations to an empty database, then a second run changes nothing", async () => {
    const url = await createDatabase(pgServer.url, uniqueName("migrate"));
    const password = new URL(url).password;

    const first = await runScript(SCRIPT, [], { DIRECT_URL: url });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration/);
    if (password) expect(first.stdout).not.toContain(password);

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["_prisma_migrations", "idempotency_keys"]));
    const rowsSql = "SELECT id, migration_name, finished_at, checksum FROM _prisma_migrations ORDER BY migration_name";
    const applied = await query<{ migration_name: string; finished_at: Date | null }>(url, rowsSql);
    expect(applied.map((m) => m.migration_name)).toEqual(MIGRATIONS);
    expect(applied.every((m) => m.finished_at !== null)).toBe(true);

    const second = await runScript(SCRIPT, [], { DIRECT_URL: url });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already up to date/);
    expect(await query(url, rowsSql)).toEqual(applied);
  });

  it("is callable programmatically and reports what it applied", async () => {
    const url = await createDatabase(pgServer.url, uniqueName("migrate_api"));
    const lines: string[] = [];
    const result = await migrateDatabase({ directUrl: url, attempts: 2, backoffMs: 10, log: (l) => lines.push(l) });
    expect(result.applied).toEqual(MIGRATIONS);
    expect(lines[0]).toMatch(/^attempt 1\/2: .*: connected$/);
    expect((await migrateDatabase({ directUrl: url, log: () => {} })).applied).toEqual([]);
  });
});
