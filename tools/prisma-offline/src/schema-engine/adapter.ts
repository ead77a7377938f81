// The SQL driver adapter the wasm engine runs its queries through: adapter-pg with our
// URL parsing (see pg-config.ts), "char" fix (char-as-text-client.ts) and whole scripts (below).
import { randomUUID } from "node:crypto";

import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from "@prisma/driver-adapter-utils";
import type pg from "pg";

import { createSiblingDatabase, dropSiblingDatabase } from "./admin.js";
import type { DatasourceUrls } from "./args.js";
import { charColumns } from "./char-as-text-client.js";
import { messageOf } from "./errors.js";
import { logLine } from "./log.js";
import { type ParsedDatabaseUrl, parseDatabaseUrl } from "./pg-config.js";

function pgFactory(db: ParsedDatabaseUrl): SqlDriverAdapterFactory {
  const inner = new PrismaPg(db.poolConfig, {
    schema: db.schema,
    onPoolError: (err) => logLine("WARN", `Idle database connection error: ${messageOf(err)}`),
  });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => withWholeScripts(withCharColumns(await inner.connect())),
  };
}

/**
 * Sends a script (a migration, `db execute`) to Postgres in one piece, as the native engine does
 * (one simple-protocol query: its statements run in order, in one implicit transaction).
 * adapter-pg 7's own executeScript splits it on every ";", which cuts a function body
 * (`$$ … ; … $$`), a string or a comment holding one into invalid fragments.
 */
function withWholeScripts<T extends SqlDriverAdapter>(adapter: T): T {
  const { client, onError } = adapter as unknown as {
    client: Pick<pg.Pool, "query">;
    onError: (error: unknown) => never;
  };
  adapter.executeScript = async (script) => {
    try {
      await client.query(script);
    } catch (error) {
      onError.call(adapter, error);
    }
  };
  return adapter;
}

type Queryable = Pick<SqlQueryable, "queryRaw">;

/** Reports "char" columns (see char-as-text-client.ts) as Character, on the adapter and its transactions. */
function withCharColumns<T extends SqlDriverAdapter>(adapter: T): T {
  patchQueryRaw(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => {
    const tx = await startTransaction(...args);
    patchQueryRaw(tx);
    return tx;
  };
  return adapter;
}

function patchQueryRaw(queryable: Queryable): void {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = (query) => {
    const seen: number[][] = [];
    return charColumns.run(seen, async () => {
      const result = await queryRaw(query);
      for (const i of seen.at(-1) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
      return result;
    });
  };
}

/**
 * A throwaway shadow database next to the main one, dropped on dispose. Not adapter-pg's
 * own connectToShadowDb: its cleanup runs DROP DATABASE while its shadow pool still holds
 * a connection ("… is being accessed by other users"), leaving the database behind.
 */
async function connectToTemporaryShadowDb(main: ParsedDatabaseUrl): Promise<SqlDriverAdapter> {
  const name = `prisma_migrate_shadow_db_${randomUUID()}`;
  const shadowDb = await createSiblingDatabase(main, name);
  const adapter = await pgFactory(shadowDb).connect();
  const closePool = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await closePool();
    await dropSiblingDatabase(main, name);
  };
  return adapter;
}

export function createAdapterFactory(urls: DatasourceUrls) {
  const main = urls.url ? parseDatabaseUrl(urls.url) : undefined;
  const shadow = urls.shadowDatabaseUrl ? parseDatabaseUrl(urls.shadowDatabaseUrl) : undefined;
  const requireMain = () => {
    if (!main) throw new Error("No datasource URL was provided (set datasource.url in prisma.config.ts).");
    return main;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => pgFactory(requireMain()).connect(),
    // With an explicit shadowDatabaseUrl use that database as is; otherwise a temporary one.
    connectToShadowDb: () => (shadow ? pgFactory(shadow).connect() : connectToTemporaryShadowDb(requireMain())),
  };
  return { adapter: bindMigrationAwareSqlAdapterFactory(factory), main };
}
