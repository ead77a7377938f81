// The local Neon speaks Neon's protocols: every result through the official driver
// (HTTP and WebSocket) must equal the same query run through `pg` directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type Backend, startBackend } from "./backends.js";

const TYPES_QUERY = `SELECT
  1::int2 AS i2, 2147483647::int4 AS i4, 9007199254740993::int8 AS i8,
  123456789.123456789::numeric AS num, 1.5::float4 AS f4, 'NaN'::float8 AS fnan,
  'Infinity'::float8 AS finf, '-Infinity'::float8 AS fninf, true AS b, false AS bf,
  $1::text AS t, '\\x00ff10'::bytea AS by, '2024-02-29'::date AS d,
  '2024-02-29 12:34:56.789'::timestamp AS ts, '2024-02-29 12:34:56.789+02'::timestamptz AS tstz,
  '1 year 2 mons 3 days 04:05:06'::interval AS iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u,
  '{"a":[1,2,{"b":null}],"s":"x"}'::json AS j, '{"k": "v", "n": 1.5}'::jsonb AS jb,
  ARRAY[1,NULL,3]::int4[] AS ai, ARRAY[[1,2],[3,4]]::int8[] AS ann,
  ARRAY['a', NULL, 'b "q"', 'c,d', 'NULL', '']::text[] AS at, ARRAY[true,false]::bool[] AS ab,
  ARRAY['{"x":1}'::jsonb] AS aj, 'happy'::mood AS e, ARRAY['sad','happy']::mood[] AS ae,
  NULL::int AS nul, NULL::text AS nult`;
const UNICODE = `Grüße "quoted" 'single' \\ back 日本語 🎉`;

describe.each(BACKENDS)("local neon protocol over $kind", ({ kind, skip }) => {
  let b: Backend;
  beforeAll(async () => {
    if (skip) return;
    b = await startBackend(kind);
    await b.direct.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
    await b.direct.query(
      `CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE NOT NULL, qty int NOT NULL DEFAULT 0)`,
    );
  });
  afterAll(async () => {
    await b?.stop();
  });
  const test = skip ? it.skip : it;

  test("neon() template tag returns what pg returns", async () => {
    b.configure();
    const rows = await b.sql`SELECT ${42}::int AS n, ${"it's"} AS s, ${null}::text AS z`;
    const direct = await b.direct.query(`SELECT $1::int AS n, $2 AS s, $3::text AS z`, [42, "it's", null]);
    expect(rows).toEqual(direct.rows);
  });

  test("type matrix via neon() equals pg", async () => {
    b.configure();
    const viaHttp = await b.sql.query(TYPES_QUERY, [UNICODE]);
    const direct = await b.direct.query(TYPES_QUERY, [UNICODE]);
    expect(viaHttp).toEqual(direct.rows);
    expect(direct.rows[0].t).toBe(UNICODE);
  });

  test("query() with fullResults and arrayMode", async () => {
    b.configure();
    const full = await b.sql.query(TYPES_QUERY, [UNICODE], { fullResults: true, arrayMode: true });
    const direct = await b.direct.query({ text: TYPES_QUERY, values: [UNICODE], rowMode: "array" });
    expect(full.rows).toEqual(direct.rows);
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.rowAsArray).toBe(true);
    expect(full.fields.map((f) => [f.name, f.dataTypeID, f.format])).toEqual(
      direct.fields.map((f) => [f.name, f.dataTypeID, "text"]),
    );
    const objects = await b.sql.query("SELECT 1 AS a, 'x' AS b", [], { fullResults: true });
    expect(objects.rows).toEqual([{ a: 1, b: "x" }]);
    expect(objects.rowAsArray).toBe(false);
  });

  test("type matrix via Pool and Client over WebSocket equals pg", async () => {
    b.configure();
    const direct = await b.direct.query(TYPES_QUERY, [UNICODE]);
    const pool = b.newPool();
    expect((await pool.query(TYPES_QUERY, [UNICODE])).rows).toEqual(direct.rows);
    await pool.end();
    const client = b.newClient();
    await client.connect();
    expect((await client.query(TYPES_QUERY, [UNICODE])).rows).toEqual(direct.rows);
    expect((await client.query({ text: "SELECT 1 AS a, 2 AS b", rowMode: "array" })).rows).toEqual([[1, 2]]);
    await client.end();
  });

  test("transaction() at each isolation level, and read-only", async () => {
    b.configure();
    const levels = {
      ReadUncommitted: "read uncommitted",
      ReadCommitted: "read committed",
      RepeatableRead: "repeatable read",
      Serializable: "serializable",
    } as const;
    for (const [level, expected] of Object.entries(levels)) {
      const [first, second] = await b.sql.transaction(
        [b.sql`SHOW transaction_isolation`, b.sql`SELECT ${level}::text AS level`],
        { isolationLevel: level as keyof typeof levels },
      );
      expect(first).toEqual([{ transaction_isolation: expected }]);
      expect(second).toEqual([{ level }]);
    }
    const [ro] = await b.sql.transaction([b.sql`SHOW transaction_read_only`], { readOnly: true });
    expect(ro).toEqual([{ transaction_read_only: "on" }]);
    await expect(
      b.sql.transaction([b.sql`INSERT INTO items (name) VALUES ('ro')`], { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
    const [def] = await b.sql.transaction([b.sql`SHOW transaction_deferrable`], {
      isolationLevel: "Serializable",
      readOnly: true,
      deferrable: true,
    });
    expect(def).toEqual([{ transaction_deferrable: "on" }]);
  });

  test("rowCount for INSERT, UPDATE, DELETE with and without RETURNING", async () => {
    b.configure();
    const opts = { fullResults: true } as const;
    const ins = await b.sql.query("INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3)", [], opts);
    expect([ins.command, ins.rowCount, ins.rows]).toEqual(["INSERT", 3, []]);
    const insRet = await b.sql.query("INSERT INTO items (name) VALUES ('d'), ('e') RETURNING name", [], opts);
    expect([insRet.rowCount, insRet.rows]).toEqual([2, [{ name: "d" }, { name: "e" }]]);
    const upd = await b.sql.query("UPDATE items SET qty = qty + 1 WHERE name IN ('a', 'b')", [], opts);
    expect([upd.command, upd.rowCount]).toEqual(["UPDATE", 2]);
    const updRet = await b.sql.query("UPDATE items SET qty = 10 WHERE name = 'c' RETURNING qty", [], opts);
    expect([updRet.rowCount, updRet.rows]).toEqual([1, [{ qty: 10 }]]);
    const del = await b.sql.query("DELETE FROM items WHERE name IN ('d', 'e')", [], opts);
    expect([del.command, del.rowCount]).toEqual(["DELETE", 2]);
    const delRet = await b.sql.query("DELETE FROM items WHERE name = 'c' RETURNING name", [], opts);
    expect([delRet.rowCount, delRet.rows]).toEqual([1, [{ name: "c" }]]);
    const ddl = await b.sql.query("CREATE TEMP TABLE scratch (x int)", [], opts);
    expect([ddl.command, ddl.rowCount]).toEqual(["CREATE", null]);
    // Same through the WebSocket path, against pg's own numbers.
    const pool = b.newPool();
    const wsUpd = await pool.query("UPDATE items SET qty = 0 WHERE name IN ('a','b')");
    const directUpd = await b.direct.query("UPDATE items SET qty = 0 WHERE name IN ('a','b')");
    expect(wsUpd.rowCount).toBe(directUpd.rowCount);
    await pool.end();
  });

  test("a constraint violation fills the error fields (HTTP and WebSocket)", async () => {
    b.configure();
    await b.sql`INSERT INTO items (name) VALUES ('dup') ON CONFLICT DO NOTHING`;
    const directError = await b.direct.query("INSERT INTO items (name) VALUES ('dup')").catch((e: unknown) => e);
    const httpError = await b.sql`INSERT INTO items (name) VALUES ('dup')`.catch((e: unknown) => e);
    const fields = ["message", "code", "detail", "schema", "table", "constraint", "severity", "routine"] as const;
    for (const field of fields)
      expect((httpError as Record<string, unknown>)[field]).toEqual((directError as Record<string, unknown>)[field]);
    expect(httpError).toMatchObject({ code: "23505", constraint: "items_name_key", table: "items" });
    const syntax = await b.sql.query("SELECT FROM WHERE").catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "42601", position: expect.any(String) });
    const client = b.newClient();
    await client.connect();
    const wsError = await client.query("INSERT INTO items (name) VALUES ('dup')").catch((e: unknown) => e);
    expect(wsError).toMatchObject({ code: "23505", constraint: "items_name_key" });
    await client.end();
  });

  test("a batch that fails midway leaves nothing written", async () => {
    b.configure();
    await expect(
      b.sql.transaction([
        b.sql`INSERT INTO items (name) VALUES ('batch-1')`,
        b.sql`INSERT INTO items (name) VALUES ('batch-2')`,
        b.sql`INSERT INTO items (name) VALUES ('batch-1')`,
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    const left = await b.direct.query("SELECT count(*)::int AS n FROM items WHERE name LIKE 'batch-%'");
    expect(left.rows[0].n).toBe(0);
    const ok = await b.sql.transaction((tx) => [
      tx`INSERT INTO items (name) VALUES ('batch-ok') RETURNING name`,
      tx`SELECT count(*)::int AS n FROM items WHERE name = 'batch-ok'`,
    ]);
    expect(ok).toEqual([[{ name: "batch-ok" }], [{ n: 1 }]]);
  });

  test("wrong password is refused (HTTP and WebSocket), like Neon", async () => {
    b.configure();
    const bad = new URL(b.db.url);
    bad.password = "wrong-password";
    const { neon: neonFn, Client } = await import("@neondatabase/serverless");
    await expect(neonFn(bad.toString())`SELECT 1`).rejects.toMatchObject({ code: "28P01" });
    const client = new Client({ connectionString: bad.toString() });
    client.on("error", () => {});
    // With pipelined connect the driver resolves connect() before the server answers
    // (as against real Neon): the failure surfaces on the first query.
    const outcome = await client
      .connect()
      .then(() => client.query("SELECT 1"))
      .catch((e: unknown) => e);
    expect(String(outcome)).toMatch(/password authentication failed/);
  });

  // The driver always asks for raw text, so Neon's typed JSON output is checked with raw requests.
  test("non-raw output is typed as Neon types it", async () => {
    const response = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": b.db.url },
      body: JSON.stringify({ query: TYPES_QUERY, params: [UNICODE] }),
    });
    expect(response.status).toBe(200);
    // Neon sends Access-Control-Allow-Origin: *; the local Neon does not (no web page may read it).
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const body = (await response.json()) as { rows: Record<string, unknown>[]; rowAsArray: boolean };
    expect(body.rowAsArray).toBe(false);
    expect(body.rows[0]).toMatchObject({
      i2: 1,
      i4: 2147483647,
      i8: "9007199254740993",
      num: "123456789.123456789",
      f4: 1.5,
      fnan: "NaN",
      finf: "Infinity",
      fninf: "-Infinity",
      b: true,
      bf: false,
      t: UNICODE,
      by: "\\x00ff10",
      d: "2024-02-29",
      u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      j: { a: [1, 2, { b: null }], s: "x" },
      jb: { k: "v", n: 1.5 },
      ai: [1, null, 3],
      ann: [
        ["1", "2"],
        ["3", "4"],
      ],
      at: ["a", null, 'b "q"', "c,d", "NULL", ""],
      ab: [true, false],
      aj: [{ x: 1 }],
      e: "happy",
      ae: ["sad", "happy"],
      nul: null,
      nult: null,
    });
    const arrayMode = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": b.db.url, "Neon-Array-Mode": "true", "Neon-Raw-Text-Output": "true" },
      body: JSON.stringify({ query: "SELECT 1::int AS a, true AS b", params: [] }),
    });
    expect(await arrayMode.json()).toMatchObject({
      rows: [["1", "t"]],
      rowAsArray: true,
      command: "SELECT",
      rowCount: 1,
    });
  });

  test("JSON params are converted as Neon converts them", async () => {
    const response = await fetch(`${b.proxy.httpUrl}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": b.db.url, "Neon-Raw-Text-Output": "true" },
      body: JSON.stringify({
        query:
          "SELECT $1::bool AS b, $2::int AS n, $3::jsonb AS o, $4::text[] AS a, $5::text AS z, $6::int[] AS nested, $7::jsonb[] AS objs",
        params: [
          true,
          42,
          { a: 1 },
          ["x", null, 'q"\\'],
          null,
          [
            [1, 2],
            [3, null],
          ],
          [{ k: "v" }],
        ],
      }),
    });
    const body = (await response.json()) as { rows: Record<string, unknown>[] };
    expect(body.rows[0]).toEqual({
      b: "t",
      n: "42",
      o: '{"a": 1}',
      a: '{x,NULL,"q\\"\\\\"}',
      z: null,
      nested: "{{1,2},{3,NULL}}",
      objs: '{"{\\"k\\": \\"v\\"}"}',
    });
  });
});
