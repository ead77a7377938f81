// The native engine's `cli` subcommands, done with pg directly: the wasm engine has no
// create/drop-database, and can-connect must report the P-codes the CLI branches on.
import pg from "pg";
import type { CliCommand } from "./args.js";
import { messageOf, toUserFacingError } from "./errors.js";
import { logLine } from "./log.js";
import type { ParsedDatabaseUrl } from "./pg-config.js";
import { parseDatabaseUrl } from "./pg-config.js";

async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  client.on("error", () => {}); // a dropped idle connection must not crash the process
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs SQL from a maintenance database on the same server (CREATE/DROP DATABASE cannot run inside the target). */
async function withMaintenanceClient<T>(db: ParsedDatabaseUrl, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const database of ["postgres", "template1"]) {
    try {
      return await withClient({ ...db.poolConfig, database }, fn);
    } catch (error) {
      // Only fall through when that maintenance DB itself is missing or refused.
      const code = (error as { code?: string }).code;
      if (code !== "3D000" && code !== "28000") throw error;
      lastError = error;
    }
  }
  throw lastError;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function canConnect(db: ParsedDatabaseUrl): Promise<void> {
  await withClient(db.poolConfig, (c) => c.query("SELECT 1"));
}

export async function createDatabase(db: ParsedDatabaseUrl): Promise<string> {
  await withMaintenanceClient(db, (c) => c.query(`CREATE DATABASE ${quoteIdent(db.database)}`));
  return db.database;
}

export async function dropDatabase(db: ParsedDatabaseUrl): Promise<void> {
  await withMaintenanceClient(db, (c) => c.query(`DROP DATABASE ${quoteIdent(db.database)}`));
}

/** Creates an empty sibling database (same server and credentials) and returns its connection info. */
export async function createSiblingDatabase(db: ParsedDatabaseUrl, name: string): Promise<ParsedDatabaseUrl> {
  await withClient(db.poolConfig, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return { ...db, database: name, poolConfig: { ...db.poolConfig, database: name } };
}

/** Drops a database created by createSiblingDatabase, even if a connection still lingers. */
export async function dropSiblingDatabase(db: ParsedDatabaseUrl, name: string): Promise<void> {
  await withClient(db.poolConfig, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`); // PG13+
    } catch {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    }
  });
}

/** `schema-engine --datasource … cli <command>`: one INFO line on success (exit 0), one ERROR line on failure (exit 1). */
export async function runCliCommand(command: CliCommand, url: string | undefined): Promise<number> {
  if (!url) {
    logLine("ERROR", "No datasource URL was provided (set datasource.url in prisma.config.ts).", {
      error_code: "P1012",
    });
    return 1;
  }
  let db: ParsedDatabaseUrl;
  try {
    db = parseDatabaseUrl(url);
  } catch (error) {
    logLine("ERROR", `The provided database string is invalid. ${messageOf(error)}`, { error_code: "P1013" });
    return 1;
  }
  try {
    switch (command) {
      case "can-connect-to-database":
        await canConnect(db);
        logLine("INFO", "Connection successful");
        break;
      case "create-database":
        logLine("INFO", `Database '${await createDatabase(db)}' was successfully created.`);
        break;
      case "drop-database":
        await dropDatabase(db);
        logLine("INFO", "The database was successfully dropped.");
        break;
    }
    return 0;
  } catch (error) {
    const known = toUserFacingError(error, db);
    if (known) logLine("ERROR", known.message, { error_code: known.code });
    else logLine("ERROR", messageOf(error)); // no P-code: the CLI then prints the message as is
    return 1;
  }
}
