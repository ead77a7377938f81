// adapter-pg 7 has no column type for the catalog type "char" (oid 18) and rejects any
// result that contains one: "Column type 'char' could not be deserialized from the
// database". The engine's introspection reads such columns (pg_class.relkind,
// pg_constraint.contype, pg_attribute.attidentity …). "char" is a single byte sent as
// text in the text protocol, so we report those columns as `text` (oid 25) before the
// adapter looks at them; the values are already the right strings. Which columns were "char"
// is recorded in `charColumns` (per query, through AsyncLocalStorage), so that adapter.ts can
// hand them to the engine as the Character type its describer reads them as (it panicked on
// a CHECK constraint's contype given as text: "Getting constraint_type … as char failed").
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import pg from "pg";

/** Column indices that were "char", one list per result, for the query running in this context. */
export const charColumns = new AsyncLocalStorage<number[][]>();

const CHAR_OID = 18;
const TEXT_OID = 25;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function relabelCharColumns<T>(result: T): T {
  for (const r of (Array.isArray(result) ? result : [result]) as QueryResultLike[]) {
    const chars: number[] = [];
    for (const [i, field] of (r?.fields ?? []).entries()) {
      if (field.dataTypeID !== CHAR_OID) continue;
      field.dataTypeID = TEXT_OID;
      chars.push(i);
    }
    charColumns.getStore()?.push(chars);
  }
  return result;
}

type Callback = (err: Error | null, res?: unknown) => void;

/** pg.Client whose results report "char" columns as text. Used via PoolConfig.Client. */
export class CharAsTextClient extends pg.Client {
  // pg.Client#query has many overloads (callback / promise / Submittable); pg.Pool always
  // calls it with (config, values, callback), adapter-pg's transactions with a promise.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    const query = super.query as unknown as (...a: unknown[]) => unknown;
    if (typeof last === "function") {
      const callback = last as Callback;
      // Bound to the caller's async context, so the relabelling records into its charColumns.
      const wrapped: Callback = AsyncResource.bind((err: Error | null, res?: unknown) =>
        callback(err, err ? res : relabelCharColumns(res)),
      );
      return query.apply(this, [...args.slice(0, -1), wrapped]) as never;
    }
    const result = query.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      return (result as Promise<unknown>).then(relabelCharColumns) as never;
    }
    return result as never; // a Submittable (cursor/stream): not used by the adapter
  }
}
