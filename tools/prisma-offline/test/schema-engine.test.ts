// The wasm schema-engine stand-in: when it is chosen, that the Prisma CLI works through it,
// its native-compatible `cli` protocol, and the "char" (oid 18) fix.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { PrismaPg } from "@prisma/adapter-pg";
import {
  createDatabase,
  databaseUrl,
  type LocalPostgres,
  query,
  startLocalPostgres,
  uniqueName,
} from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrisma } from "../src/cli.js";
import { migrateDeploy } from "../src/migrate-deploy.js";
import { type ChildResult, runProcess } from "../src/process.js";
import { parseDatabaseUrl } from "../src/schema-engine/pg-config.js";
import {
  chooseSchemaEngine,
  findNativeSchemaEngine,
  PROJECT_ROOT as ROOT,
  WASM_STAND_IN,
} from "../src/schema-engine-path.js";

const nonEmptyLines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

/** A fresh database on this file's server, with the project's migrations applied. */
async function createMigratedDatabase(serverUrl: string, prefix: string): Promise<string> {
  const url = await createDatabase(serverUrl, uniqueName(prefix));
  await migrateDeploy(url);
  return url;
}

// The stand-in starts with `#!/usr/bin/env node`: make that this Node (>= 22), as the launcher does.
const ENGINE_ENV = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };

let pgServer: LocalPostgres;
let migratedUrl: string;

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
  migratedUrl = await createMigratedDatabase(pgServer.url, "engine");
});

afterAll(async () => {
  await pgServer?.stop();
});

describe("choosing the schema engine", () => {
  const roots: string[] = [];
  const fakeRoot = (withNative: boolean) => {
    const root = mkdtempSync(path.join(tmpdir(), "engine-choice-"));
    roots.push(root);
    mkdirSync(path.join(root, "node_modules/@prisma/engines"), { recursive: true });
    if (withNative)
      writeFileSync(path.join(root, "node_modules/@prisma/engines/schema-engine-debian-openssl-3.0.x"), "");
    return root;
  };
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it("uses the wasm stand-in when no native engine is present", () => {
    expect(chooseSchemaEngine({}, fakeRoot(false))).toEqual({ source: "wasm", binary: WASM_STAND_IN });
  });

  it("leaves a downloaded native engine alone", () => {
    expect(chooseSchemaEngine({}, fakeRoot(true))).toEqual({ source: "native" });
  });

  it("respects PRISMA_SCHEMA_ENGINE_BINARY set by the user", () => {
    expect(chooseSchemaEngine({ PRISMA_SCHEMA_ENGINE_BINARY: "/opt/schema-engine" }, fakeRoot(true))).toEqual({
      source: "env",
      binary: "/opt/schema-engine",
    });
  });

  it.skipIf(findNativeSchemaEngine() !== undefined)("is what the Prisma CLI runs in this checkout", async () => {
    const r = await runPrisma(["version"], { quiet: true, env: { PRISMA_SCHEMA_ENGINE_BINARY: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Schema Engine\s+: schema-engine-cli \w+ \(wasm stand-in\)/);
    expect(r.stdout + r.stderr).not.toContain("binaries.prisma.sh");
  });
});

describe("Prisma CLI through the stand-in", () => {
  const prisma = (args: string[], url = migratedUrl) =>
    runPrisma(args, { quiet: true, env: { DIRECT_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: undefined } });

  it("migrate status", async () => {
    const r = await prisma(["migrate", "status"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Database schema is up to date!");
  });

  it("migrate status reports unapplied migrations with exit code 1", async () => {
    const empty = await createDatabase(pgServer.url, uniqueName("engine_empty"));
    const r = await prisma(["migrate", "status"], empty);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/have not yet been applied/);
  });

  it("migrate diff: schema → SQL script, and database vs schema", async () => {
    const script = await prisma(["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"]);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain('CREATE TABLE "idempotency_keys"');

    const inSync = await prisma([
      "migrate",
      "diff",
      "--from-config-datasource",
      "--to-schema",
      "prisma/schema.prisma",
      "--exit-code",
    ]);
    expect(inSync.code).toBe(0);
    expect(inSync.stdout).toContain("No difference detected.");

    const drift = await prisma(["migrate", "diff", "--from-config-datasource", "--to-empty", "--exit-code"]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/Removed tables/);
  });

  it("migrate diff from the migrations folder uses a temporary shadow database and drops it", async () => {
    const r = await prisma([
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema",
      "prisma/schema.prisma",
      "--exit-code",
    ]);
    expect(r.code).toBe(0);
    const shadows = await query(
      pgServer.url,
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    expect(shadows).toEqual([]);
  });
});

describe('the "char" (oid 18) column type', () => {
  // On the machinery's own table (the demo's may be gone): any table's relkind is a "char".
  const CHAR_SQL = `SELECT relkind FROM pg_catalog.pg_class WHERE relname = 'idempotency_keys'`;

  it("plain adapter-pg 7 cannot read it (why the stand-in relabels it)", async () => {
    const adapter = await new PrismaPg({ connectionString: migratedUrl }).connect();
    try {
      await expect(adapter.queryRaw({ sql: CHAR_SQL, args: [], argTypes: [] })).rejects.toMatchObject({
        cause: { kind: "UnsupportedNativeDataType", type: "char" },
      });
    } finally {
      await adapter.dispose();
    }
  });

  it("the stand-in's pg config reads it as text", async () => {
    const adapter = await new PrismaPg(parseDatabaseUrl(migratedUrl).poolConfig).connect();
    try {
      const rs = await adapter.queryRaw({ sql: CHAR_SQL, args: [], argTypes: [] });
      expect(rs.rows).toEqual([["r"]]);
    } finally {
      await adapter.dispose();
    }
  });

  it('introspection of a table with a "char" column works end to end (db pull)', async () => {
    const url = await createDatabase(pgServer.url, uniqueName("engine_char"));
    await query(url, `CREATE TABLE flags (id int PRIMARY KEY, kind "char" NOT NULL DEFAULT 'a')`);
    const r = await runPrisma(["db", "pull", "--print"], { quiet: true, env: { DIRECT_URL: url } });
    expect(r.stderr).not.toMatch(/could not be deserialized/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/model flags \{/);
  });
});

describe("JSON-RPC over stdio", () => {
  type RpcResponse = { id: number; result?: unknown; error?: { code: number; data?: { message: string } } };
  const rpc = async (args: string[], requests: object[]): Promise<RpcResponse[]> => {
    const input = requests.map((r) => `${JSON.stringify({ jsonrpc: "2.0", ...r })}\n`).join("");
    const { stdout } = await runProcess(WASM_STAND_IN, args, { env: ENGINE_ENV, input });
    return nonEmptyLines(stdout).map((l) => JSON.parse(l) as RpcResponse);
  };
  const history = {
    migrationsList: {
      baseDir: "/nonexistent",
      lockfile: { path: "migration_lock.toml", content: null },
      shadowDbInitScript: "",
      migrationDirectories: [],
    },
    optInToShadowDatabase: false,
    filters: { externalTables: [], externalEnums: [] },
  };

  it("answers each request by id, and -32601 for unknown methods", async () => {
    const responses = await rpc(
      ["--datamodels", "prisma/schema.prisma", "--datasource", JSON.stringify({ url: migratedUrl })],
      [
        { id: 1, method: "getDatabaseVersion" },
        { id: 2, method: "diagnoseMigrationHistory", params: history },
        { id: 3, method: "noSuchMethod", params: {} },
      ],
    );
    expect(responses.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(responses[0]!.result).toMatch(/^PostgreSQL 1\d/);
    expect(responses[1]!.result).toMatchObject({ hasMigrationsTable: true, failedMigrationNames: [] });
    expect(responses[2]!.error?.code).toBe(-32601);
  });

  describe("evaluateDataLoss (what migrate dev asks once migrations exist)", () => {
    const migrationsList = () => {
      const baseDir = path.join(ROOT, "prisma/migrations");
      return {
        baseDir,
        lockfile: {
          path: "migration_lock.toml",
          content: readFileSync(path.join(baseDir, "migration_lock.toml"), "utf8"),
        },
        shadowDbInitScript: "",
        migrationDirectories: readdirSync(baseDir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort()
          .map((name) => ({
            path: name,
            migrationFile: {
              path: "migration.sql",
              content: { tag: "ok", value: readFileSync(path.join(baseDir, name, "migration.sql"), "utf8") },
            },
          })),
      };
    };
    const schemaFile = path.join(ROOT, "prisma/schema.prisma");
    const evaluate = async (content: string) => {
      const [response] = await rpc(
        ["--datamodels", schemaFile, "--datasource", JSON.stringify({ url: migratedUrl })],
        [
          {
            id: 1,
            method: "evaluateDataLoss",
            params: {
              migrationsList: migrationsList(),
              schema: { files: [{ path: schemaFile, content }] },
              filters: history.filters,
            },
          },
        ],
      );
      return response!;
    };

    it("reports no steps when the schema matches the migrations", async () => {
      const r = await evaluate(readFileSync(schemaFile, "utf8"));
      expect(r.error).toBeUndefined();
      expect(r.result).toEqual({ migrationSteps: 0, warnings: [], unexecutableSteps: [] });
    });

    it("warns about a step that would drop a table", async () => {
      const withoutModel = readFileSync(schemaFile, "utf8").replace(/model IdempotencyKey \{[^}]*\}/, "");
      const r = await evaluate(withoutModel);
      const result = r.result as { migrationSteps: number; warnings: Array<{ message: string }> };
      expect(result.migrationSteps).toBeGreaterThan(0);
      expect(result.warnings.map((w) => w.message).join("\n")).toMatch(/DROP TABLE "idempotency_keys"/);
    });
  });

  it("reports the adapter's own error, not an opaque 'External error id#N'", async () => {
    const [response] = await rpc(
      ["--datamodels", "prisma/schema.prisma"],
      [{ id: 1, method: "diagnoseMigrationHistory", params: history }],
    );
    expect(response!.error?.data?.message).toMatch(/No datasource URL/);
  });
});

describe("native `cli` subcommand protocol", () => {
  const runEngine = (url: string, command: string): Promise<ChildResult> =>
    runProcess(WASM_STAND_IN, ["--datasource", JSON.stringify({ url }), "cli", command], { env: ENGINE_ENV });
  const logLines = (stderr: string) =>
    nonEmptyLines(stderr).map(
      (l) => JSON.parse(l) as { level: string; target: string; fields: Record<string, string> },
    );

  it("reports a missing database as P1003, then creates and drops it", async () => {
    const url = databaseUrl(pgServer.url, uniqueName("engine_cli"));
    const missing = await runEngine(url, "can-connect-to-database");
    expect(missing.code).toBe(1);
    const error = logLines(missing.stderr).find((l) => l.level === "ERROR");
    expect(error).toMatchObject({ target: "schema_engine::logger", fields: { error_code: "P1003" } });
    expect(missing.stderr).not.toContain(new URL(url).password || "\0");

    expect((await runEngine(url, "create-database")).code).toBe(0);
    expect((await runEngine(url, "can-connect-to-database")).code).toBe(0);
    expect((await runEngine(url, "drop-database")).code).toBe(0);
  });

  it("reports an unreachable server as P1001", async () => {
    const r = await runEngine("postgresql://u:pw@127.0.0.1:1/x", "can-connect-to-database");
    expect(r.code).toBe(1);
    expect(logLines(r.stderr).find((l) => l.level === "ERROR")?.fields.error_code).toBe("P1001");
  });
});
