// JSON-RPC 2.0 over stdio, one JSON object per line: the protocol the Prisma CLI's
// SchemaEngineCLI speaks with the native engine. Requests are forwarded to the wasm engine.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

import type { ErrorRegistry } from "@prisma/driver-adapter-utils";

import { createAdapterFactory } from "./adapter.js";
import { createDatabase } from "./admin.js";
import type { EngineArgs } from "./args.js";
import { messageOf, toUserFacingError, type UserFacingError } from "./errors.js";
import { evaluateDataLossViaDiff, NEEDS_FALLBACK } from "./evaluate-data-loss.js";
import { lastPanicMessage, loadSchemaEngineWasm, type SchemaEngineWasm } from "./load-wasm.js";
import { type ParsedDatabaseUrl, parseDatabaseUrl } from "./pg-config.js";

interface RpcRequest {
  jsonrpc: "2.0";
  id: number | string;
  method: string;
  params?: Record<string, unknown>;
}

interface RpcErrorData {
  is_panic: boolean;
  message: string;
  meta?: unknown;
  error_code?: string;
  backtrace?: string | null;
}

// Same envelope as the native engine, so the CLI shows the same messages.
const USER_FACING_ERROR = 4466;

export async function serveJsonRpc(args: EngineArgs): Promise<void> {
  const { adapter, main } = createAdapterFactory(args.datasource);
  let engine: Promise<SchemaEngineWasm> | undefined;
  const getEngine = () =>
    (engine ??= (async () => {
      const { SchemaEngine } = await loadSchemaEngineWasm();
      // The engine wants [path, content] pairs; paths as given, relative to the CLI's cwd.
      const datamodels = args.datamodels.map((file): [string, string] => [
        file,
        readFileSync(path.resolve(file), "utf8"),
      ]);
      return SchemaEngine.new(
        { datamodels: datamodels.length > 0 ? datamodels : undefined },
        // The wasm engine already logs in the native tracing-JSON format: pass it through.
        (line: string) => process.stderr.write(`${String(line).trimEnd()}\n`),
        adapter,
      );
    })());

  const handle = async (req: RpcRequest): Promise<unknown> => {
    const params = req.params ?? {};
    switch (req.method) {
      case "getDatabaseVersion":
        // Without params it reports the version of the datasource it was started with.
        return (await getEngine()).version(req.params?.datasource ? (params as never) : undefined);
      case "createDatabase":
        return { databaseName: await createDatabase(datasourceOf(params, main)) };
      case "diff": {
        // The wasm engine returns the diff text; the native one sends it to the CLI with a
        // `print` request instead (the CLI ignores result.stdout), so do the same.
        const result = (await (await getEngine()).diff(params as never)) as { exitCode: number; stdout: string | null };
        if (result.stdout) await printViaCli(result.stdout.replace(/\n$/, ""));
        return { exitCode: result.exitCode, stdout: null };
      }
      case "evaluateDataLoss": {
        const engine = await getEngine();
        try {
          return await engine.evaluateDataLoss(params as never);
        } catch (error) {
          if (!NEEDS_FALLBACK.test(messageOf(error))) throw error;
          return evaluateDataLossViaDiff(engine, params as never);
        }
      }
      case "getDatabaseDescription":
        throw new Error("getDatabaseDescription is not supported by the wasm schema engine stand-in.");
      default: {
        const e = (await getEngine()) as unknown as Record<string, unknown>;
        if (req.method === "free" || typeof e[req.method] !== "function") throw new MethodNotFound(req.method);
        // Call as a method: detaching it from the instance breaks the wasm binding.
        return (e[req.method] as (p: unknown) => Promise<unknown>).call(e, params);
      }
    }
  };

  const respond = (msg: object) => writeMessage(msg);

  // Requests we send to the CLI (only `print`), keyed by id, resolved by its responses.
  const pending = new Map<number, () => void>();
  let nextId = 1;
  const printViaCli = (content: string) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      respond({ id, method: "print", params: { content } });
    });

  // One request at a time, in order: the CLI never pipelines, and the engine isn't re-entrant.
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let req: RpcRequest;
    try {
      req = JSON.parse(line) as RpcRequest;
    } catch {
      respond({ id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (req.method === undefined) {
      // A response to one of our `print` requests.
      pending.get(Number(req.id))?.();
      pending.delete(Number(req.id));
      return;
    }
    queue = queue.then(async () => {
      inFlight = req.id;
      try {
        const result = await handle(req);
        respond({ id: req.id, result: result ?? {} });
      } catch (error) {
        respond({ id: req.id, error: toRpcError(resolveExternalError(error, adapter.errorRegistry), main) });
      } finally {
        inFlight = undefined;
      }
    });
  });
  await new Promise<void>((resolve) => lines.on("close", resolve));
  await queue;
}

const writeMessage = (msg: object) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...msg })}\n`);

/** The request being handled, if any: a panic that escapes every promise still answers it. */
let inFlight: RpcRequest["id"] | undefined;

/** Answers the request in flight with a panic, as the native engine does before it exits 101. */
export function answerInFlightWithPanic(message: string): void {
  if (inFlight === undefined) return;
  const data: RpcErrorData = { is_panic: true, message, backtrace: null };
  writeMessage({
    id: inFlight,
    error: { code: USER_FACING_ERROR, message: "An error happened. Check the data field for details.", data },
  });
  inFlight = undefined;
}

/** A wasm trap ("unreachable") says nothing: the engine's own panic message does. */
export function panicMessage(error: unknown): string {
  const panic = lastPanicMessage();
  return panic ? `${panic} (schema engine panic)` : messageOf(error);
}

class MethodNotFound extends Error {
  constructor(method: string) {
    super(`Method not found: ${method}`);
  }
}

function datasourceOf(params: Record<string, unknown>, main: ParsedDatabaseUrl | undefined): ParsedDatabaseUrl {
  const ds = params.datasource as { tag?: string; url?: string } | undefined;
  if (ds?.tag === "ConnectionString" && ds.url) return parseDatabaseUrl(ds.url);
  if (!main) throw new Error("No datasource URL was provided (set datasource.url in prisma.config.ts).");
  return main;
}

/**
 * Errors that adapter-pg could not classify reach the engine as "External error id#N"; the
 * original (e.g. pg's "Connection terminated due to connection timeout") sits in the
 * adapter's error registry. Report that instead of the bare id.
 */
function resolveExternalError(error: unknown, registry: ErrorRegistry): unknown {
  const id = /External error id#(\d+)/.exec(messageOf(error))?.[1];
  const original = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  return original ?? error;
}

function toRpcError(error: unknown, main: ParsedDatabaseUrl | undefined) {
  if (error instanceof MethodNotFound) return { code: -32601, message: error.message };
  const data: RpcErrorData = { is_panic: false, message: messageOf(error), backtrace: null };
  const e = error as { name?: string; code?: unknown; meta?: unknown; stack?: string };
  if (e?.name === "RuntimeError") {
    // A trap inside the wasm module: the native engine would have panicked.
    data.is_panic = true;
    data.message = panicMessage(error);
    data.backtrace = e.stack ?? null;
  } else if (typeof e?.code === "string" && /^P\d{4}$/.test(e.code)) {
    data.error_code = e.code;
    data.meta = e.meta ?? null;
  } else {
    const known: UserFacingError | undefined = main ? toUserFacingError(error, main) : undefined;
    if (known) Object.assign(data, { error_code: known.code, message: known.message });
  }
  return { code: USER_FACING_ERROR, message: "An error happened. Check the data field for details.", data };
}
