// POST /sql — Neon's SQL-over-HTTP protocol (what neon() and PrismaNeonHttp speak).
// Modelled on Neon's proxy (proxy/src/serverless/sql_over_http.rs): one request = one
// query, or a batch run in one transaction; results in text format, converted to JSON
// per neon-json.ts unless the client asks for raw text (the driver always does).
import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import { type Allowlist, notAllowed } from "./allowlist.js";
import type { CounterSet } from "./counters.js";
import type { ComputeActivity, LocalNeonFaults } from "./faults.js";
import { BodyTooLargeError, readBody, sendJson } from "./http-util.js";
import { pgTextToJson, type TypeLookup } from "./neon-json.js";
import { type JsonValue, toPgTextParam } from "./params.js";
import type { PgTypeCatalog } from "./pg-type-catalog.js";
import { UpstreamPool } from "./sql-pool.js";

export interface SqlContext {
  allowlist: Allowlist;
  counters: CounterSet;
  faults(): LocalNeonFaults;
  activity: ComputeActivity;
  types: PgTypeCatalog;
  expectedPassword(user: string): string | undefined;
  /** A connect (TCP + auth) to the upstream that takes longer fails as "Couldn't connect". */
  upstreamConnectTimeoutMs: number;
  /** Authenticated upstream connections kept between requests (sql-pool.ts). */
  pool: UpstreamPool;
  log(line: string): void;
}

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

interface QueryData {
  query: string;
  params: (string | null)[];
  arrayMode?: boolean;
}

type Payload = { kind: "single"; query: QueryData } | { kind: "batch"; queries: QueryData[] };

/** A client-facing failure: HTTP status plus Neon's error JSON. */
class SqlHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Partial<Record<ErrorField, string>> = {},
  ) {
    super(message);
  }
}

const ERROR_FIELDS = [
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
type ErrorField = (typeof ERROR_FIELDS)[number];

function errorBody(message: string, fields: Partial<Record<ErrorField, string>>): Record<string, string | null> {
  const body: Record<string, string | null> = { message };
  for (const field of ERROR_FIELDS) body[field] = fields[field] ?? null;
  return body;
}

/** A Postgres error (pg's DatabaseError) becomes 400 with all its fields, as on Neon. */
function fromDatabaseError(error: unknown): SqlHttpError | undefined {
  if (!(error instanceof pg.DatabaseError)) return undefined;
  const fields: Partial<Record<ErrorField, string>> = {};
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === "string") fields[field] = value;
  }
  return new SqlHttpError(400, error.message, fields);
}

function parseQueryData(value: unknown, where: string): QueryData {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${where} must be an object`);
  const { query, params, arrayMode } = value as Record<string, unknown>;
  if (typeof query !== "string") throw new Error(`${where}.query must be a string`);
  if (params !== undefined && !Array.isArray(params)) throw new Error(`${where}.params must be an array`);
  if (arrayMode !== undefined && arrayMode !== null && typeof arrayMode !== "boolean")
    throw new Error(`${where}.arrayMode must be a boolean`);
  return {
    query,
    params: ((params ?? []) as JsonValue[]).map(toPgTextParam),
    arrayMode: typeof arrayMode === "boolean" ? arrayMode : undefined,
  };
}

export function parsePayload(body: Buffer): Payload {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new SqlHttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
  try {
    if (typeof json === "object" && json !== null && "query" in json)
      return { kind: "single", query: parseQueryData(json, "body") };
    if (typeof json === "object" && json !== null && "queries" in json) {
      const queries = (json as { queries: unknown }).queries;
      if (!Array.isArray(queries)) throw new Error("body.queries must be an array");
      return { kind: "batch", queries: queries.map((q, i) => parseQueryData(q, `body.queries[${i}]`)) };
    }
    throw new Error('body must be {"query": …, "params": […]} or {"queries": [ … ]}');
  } catch (error) {
    throw new SqlHttpError(400, `invalid request payload: ${(error as Error).message}`);
  }
}

interface Headers {
  connectionString: string;
  rawOutput: boolean;
  arrayMode: boolean;
  isolationLevel?: string;
  readOnly: boolean;
  deferrable: boolean;
}

function parseHeaders(req: IncomingMessage): Headers {
  const header = (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const connectionString = header("Neon-Connection-String");
  if (!connectionString)
    throw new SqlHttpError(400, "missing connection string: set the Neon-Connection-String header");
  const isolation = header("Neon-Batch-Isolation-Level");
  if (isolation !== undefined && !(isolation in ISOLATION_LEVELS))
    throw new SqlHttpError(400, "invalid isolation level");
  // As on Neon: anything other than exactly "true" is false.
  return {
    connectionString,
    rawOutput: header("Neon-Raw-Text-Output") === "true",
    arrayMode: header("Neon-Array-Mode") === "true",
    isolationLevel: isolation,
    readOnly: header("Neon-Batch-Read-Only") === "true",
    deferrable: header("Neon-Batch-Deferrable") === "true",
  };
}

interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

function parseConnectionString(connectionString: string, allowlist: Allowlist): Target {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new SqlHttpError(400, "invalid connection string: not a URL");
  }
  if (!/^postgres(ql)?:$/.test(url.protocol))
    throw new SqlHttpError(400, "invalid connection string: expected postgres://");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  // No port: the driver's fetch path drops it (poolQueryViaFetch); the endpoint on that host is meant.
  const port = url.port ? Number(url.port) : (allowlist.portFor(host) ?? 5432);
  const routed = allowlist.route(host, port);
  if (!routed) {
    const { message, ...fields } = notAllowed(url.hostname, port);
    throw new SqlHttpError(400, message, fields);
  }
  return {
    ...routed,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username),
  };
}

// Every column comes back as its text: conversion is ours, not node-postgres's.
const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

async function connectUpstream(target: Target, ctx: SqlContext): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionTimeoutMillis: ctx.upstreamConnectTimeoutMs,
    application_name: "local-neon-http",
  });
  // Upstreams without auth (PGlite) accept any password: check it ourselves, like Neon's proxy would.
  let askedForPassword = false;
  const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  for (const event of ["authenticationCleartextPassword", "authenticationMD5Password", "authenticationSASL"]) {
    connection.once(event, () => (askedForPassword = true));
  }
  client.on("error", () => {}); // failures surface through the awaited calls
  try {
    await client.connect();
  } catch (error) {
    void client.end().catch(() => {});
    throw fromDatabaseError(error) ?? new SqlHttpError(500, "Couldn't connect to compute node");
  }
  // An upstream that asked for no password (PGlite, trust) checked nothing: the proxy does, for
  // every user; one it has no password for (any but the configured user) is refused.
  const expected = ctx.expectedPassword(target.user);
  if (!askedForPassword && (expected === undefined || expected !== target.password)) {
    void client.end().catch(() => {});
    throw passwordFailedError(target.user);
  }
  return client;
}

const passwordFailedError = (user: string) =>
  new SqlHttpError(400, `password authentication failed for user "${user}"`, { code: "28P01", severity: "FATAL" });

async function runQuery(client: pg.Client, q: QueryData, headers: Headers, ctx: SqlContext, upstreamKey: string) {
  const arrayMode = q.arrayMode ?? headers.arrayMode;
  // Always the extended protocol, like Neon's proxy: one statement per query, $n params.
  const config = {
    text: q.query,
    values: q.params,
    rowMode: "array" as const,
    types: RAW_TEXT_TYPES,
    queryMode: "extended",
  };
  const result = (await client.query(config as pg.QueryArrayConfig)) as pg.QueryArrayResult<(string | null)[]>;
  const fields = result.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: "text",
  }));
  let types: TypeLookup = () => ({});
  if (!headers.rawOutput && result.rows.length)
    types = await ctx.types.lookup(
      upstreamKey,
      client,
      fields.map((f) => f.dataTypeID),
    );
  const convert = (value: string | null, i: number): JsonValue =>
    value === null ? null : headers.rawOutput ? value : pgTextToJson(value, fields[i]!.dataTypeID, types);
  const rows = result.rows.map((row) =>
    arrayMode ? row.map(convert) : Object.fromEntries(row.map((value, i) => [fields[i]!.name, convert(value, i)])),
  );
  // rowCount comes from the command tag; null when the tag has no count (CREATE TABLE, BEGIN …).
  return { command: result.command ?? "", fields, rowCount: result.rowCount ?? null, rows, rowAsArray: arrayMode };
}

function beginStatement(headers: Headers): string {
  const modes: string[] = [];
  if (headers.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_LEVELS[headers.isolationLevel]}`);
  if (headers.readOnly) modes.push("READ ONLY");
  if (headers.deferrable) modes.push("DEFERRABLE");
  return modes.length ? `START TRANSACTION ${modes.join(", ")}` : "START TRANSACTION";
}

export async function handleSql(req: IncomingMessage, res: ServerResponse, ctx: SqlContext): Promise<void> {
  ctx.counters.add("httpRequests");
  // One HTTP request is one round trip for the client, whatever happens behind it.
  ctx.counters.add("httpRoundTrips");
  const faults = ctx.faults();
  let client: pg.Client | undefined;
  let poolKey = "";
  let healthy = true;
  let activityStarted = false;
  try {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const headers = parseHeaders(req);
    const target = parseConnectionString(headers.connectionString, ctx.allowlist);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_REQUEST_BYTES);
    } catch (error) {
      throw new SqlHttpError(error instanceof BodyTooLargeError ? 413 : 400, (error as Error).message);
    }
    const payload = parsePayload(body);
    activityStarted = true;
    await ctx.activity.begin();
    if (ctx.faults().refuseConnections) {
      ctx.counters.add("refused");
      throw new SqlHttpError(500, "Couldn't connect to compute node");
    }
    // As Neon's proxy: the password is checked here before anything is dialled (or reused).
    const expected = ctx.expectedPassword(target.user);
    if (expected !== undefined && expected !== target.password) throw passwordFailedError(target.user);
    poolKey = UpstreamPool.key(target);
    client = ctx.pool.take(poolKey);
    if (!client) {
      client = await connectUpstream(target, ctx);
      ctx.pool.watch(client);
      ctx.counters.add("httpUpstreamOpened");
    }
    const upstreamKey = `${target.host}:${target.port}/${target.database}`;
    if (payload.kind === "single") {
      sendJson(res, 200, await runQuery(client, payload.query, headers, ctx, upstreamKey));
      return;
    }
    await client.query(beginStatement(headers));
    const results = [];
    try {
      for (const q of payload.queries) results.push(await runQuery(client, q, headers, ctx, upstreamKey));
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        healthy = false;
      });
      throw error;
    }
    const echo: Record<string, string> = {};
    if (headers.readOnly) echo["Neon-Batch-Read-Only"] = "true";
    if (headers.deferrable) echo["Neon-Batch-Deferrable"] = "true";
    if (headers.isolationLevel) echo["Neon-Batch-Isolation-Level"] = headers.isolationLevel;
    sendJson(res, 200, { results }, echo);
  } catch (error) {
    const failure = error instanceof SqlHttpError ? error : fromDatabaseError(error);
    if (failure) sendJson(res, failure.status, errorBody(failure.message, failure.fields));
    else {
      ctx.log(`/sql internal error: ${(error as Error).message}`);
      sendJson(res, 500, errorBody(`internal error: ${(error as Error).message}`, {}));
    }
  } finally {
    if (client) void ctx.pool.give(poolKey, client, healthy);
    if (activityStarted) ctx.activity.end();
  }
}
