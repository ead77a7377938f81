// Loads @prisma/schema-engine-wasm under plain Node. Its entry point imports the .wasm file
// as an ES module, which Node only allows behind --experimental-wasm-modules, so we
// instantiate the module ourselves and hand it to the generated bindings.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import type * as Bindings from "@prisma/schema-engine-wasm";

export type SchemaEngineWasm = Bindings.SchemaEngine;
type WasmExports = Record<string, unknown>;
type BgModule = typeof Bindings & { __wbg_set_wasm(exports: WasmExports): void };
// The project's tsconfig has no DOM lib, where the WebAssembly types live; this is all we use.
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: WasmExports } }> };
};

let loaded: Promise<BgModule> | undefined;

/**
 * The engine's panic hook hands the panic message to this global before it traps (Prisma's own
 * wasm loaders define it). Without it the hook itself threw ("Cannot read properties of
 * undefined (reading 'set_message')") and the real message was lost.
 */
const panics = { last: undefined as string | undefined };
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message: string) {
    panics.last = message;
  },
};

/** The message of the engine's last panic, if it panicked. */
export function lastPanicMessage(): string | undefined {
  return panics.last;
}

export function loadSchemaEngineWasm(): Promise<BgModule> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bg = (await import(pathToFileURL(path.join(dir, "schema_engine_bg.js")).href)) as BgModule;
    const bytes = await readFile(path.join(dir, "schema_engine_bg.wasm"));
    const { instance } = await Wasm.instantiate(bytes, { "./schema_engine_bg.js": bg as never });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return loaded;
}

/** Version string of the wasm engine build, e.g. "561d7b42…". */
export async function wasmEngineVersion(): Promise<string> {
  return (await loadSchemaEngineWasm()).version();
}
