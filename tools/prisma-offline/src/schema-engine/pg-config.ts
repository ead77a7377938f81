// Turns a Postgres URL into a pg PoolConfig for adapter-pg.
//
// Why not just { connectionString }: adapter-pg creates the shadow database pool as
// `new Pool({ ...config, database: "prisma_migrate_shadow_db_…" })`, and pg lets the
// database inside connectionString win over `database`, so `migrate dev` would use the
// main database as its shadow database. Discrete fields avoid that.
import type pg from "pg";
import { parse } from "pg-connection-string";

import { CharAsTextClient } from "./char-as-text-client.js";

export interface ParsedDatabaseUrl {
  poolConfig: pg.PoolConfig;
  /** `?schema=` of Prisma URLs; the engine qualifies its queries with it. */
  schema?: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

const DEFAULT_CONNECT_TIMEOUT_S = 5; // the native engine's default

export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const u = new URL(url);
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new Error(`Only postgres:// and postgresql:// URLs are supported, got ${u.protocol}//`);
  }
  const sslmode = u.searchParams.get("sslmode");
  // We decide TLS ourselves (below) so pg-connection-string neither interprets sslmode
  // nor prints its sslmode deprecation warning.
  u.searchParams.delete("sslmode");
  const parsed = parse(u.toString());
  const connectTimeout = Number(u.searchParams.get("connect_timeout") ?? DEFAULT_CONNECT_TIMEOUT_S);
  const host = parsed.host || "localhost";
  const port = Number(parsed.port || 5432);
  const database = parsed.database || parsed.user || "postgres";
  const user = parsed.user || "postgres";
  const schema = u.searchParams.get("schema") ?? undefined;
  return {
    poolConfig: {
      Client: CharAsTextClient as unknown as typeof pg.Client,
      host,
      port,
      database,
      user,
      password: parsed.password ?? undefined,
      // require / verify-ca / verify-full: verified TLS (what pg does today for all three;
      // Neon's certificates verify). disable / allow / prefer / unset: plain TCP.
      ssl: sslmode && ["require", "verify-ca", "verify-full"].includes(sslmode) ? {} : false,
      connectionTimeoutMillis: connectTimeout > 0 ? connectTimeout * 1000 : undefined,
      application_name: "prisma-schema-engine-wasm",
      // As the native engine does: unqualified statements (the migrations' own SQL, and the
      // engine's CREATE TABLE "_prisma_migrations") land in the URL's schema, not in public.
      options: schema ? `-c search_path=${schema.replace(/([\\ ])/g, "\\$1")}` : undefined,
      max: 4,
    },
    schema,
    host,
    port,
    database,
    user,
  };
}

/** host:port for messages: never the user or password. */
export function describeServer(p: Pick<ParsedDatabaseUrl, "host" | "port">): string {
  return `${p.host}:${p.port}`;
}
