// Which result columns are arrays (and of what), for the non-raw JSON conversion.
// Neon's proxy knows the built-in types and looks others (enum[] …) up in pg_type; we
// simply ask pg_type about every oid we have not seen, per upstream.
import type pg from "pg";
import type { PgTypeInfo, TypeLookup } from "./neon-json.js";

export class PgTypeCatalog {
  private readonly known = new Map<string, Map<number, PgTypeInfo>>();

  async lookup(upstreamKey: string, client: pg.Client, oids: number[]): Promise<TypeLookup> {
    const types = this.known.get(upstreamKey) ?? new Map<number, PgTypeInfo>();
    this.known.set(upstreamKey, types);
    const missing = [...new Set(oids)].filter((oid) => !types.has(oid));
    if (missing.length) {
      const result = await client.query<{ oid: number; typcategory: string; typelem: number }>({
        text: "SELECT oid::int4 AS oid, typcategory, typelem::int4 AS typelem FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])",
        values: [missing],
      });
      for (const oid of missing) types.set(oid, {});
      for (const row of result.rows) {
        types.set(row.oid, row.typcategory === "A" && row.typelem !== 0 ? { arrayElement: row.typelem } : {});
      }
    }
    const resolved = types;
    return (oid) => resolved.get(oid) ?? {};
  }
}
