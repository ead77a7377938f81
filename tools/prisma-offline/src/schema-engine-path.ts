// Decides which schema engine the Prisma CLI should run.
//
// The CLI needs its native `schema-engine` binary for generate/validate/format/migrate/db
// and, when it is missing, downloads it from binaries.prisma.sh — outside npm, so it fails
// offline and behind many corporate proxies (getaddrinfo ENOTFOUND binaries.prisma.sh).
// We only step in when that download would be needed.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root: where prisma.config.ts and the hoisted node_modules/prisma are. */
export const PROJECT_ROOT = path.resolve(HERE, "../../..");
export const WASM_STAND_IN = path.join(HERE, "schema-engine/bin.mjs");

export type SchemaEngineSource = "env" | "native" | "wasm";

export interface SchemaEngineChoice {
  source: SchemaEngineSource;
  /** Path to pass as PRISMA_SCHEMA_ENGINE_BINARY; undefined = let the CLI find its native binary. */
  binary?: string;
}

/** Where the CLI looks for `schema-engine-<platform>` (same order as its resolver). */
function nativeEngineDirs(root: string): string[] {
  const nm = path.join(root, "node_modules");
  return [path.join(nm, "@prisma/engines"), path.join(nm, "prisma"), nm, path.join(nm, "prisma/runtime")];
}

export function findNativeSchemaEngine(root = PROJECT_ROOT): string | undefined {
  for (const dir of nativeEngineDirs(root)) {
    if (!existsSync(dir)) continue;
    const hit = readdirSync(dir).find((f) => /^schema-engine-[\w.-]+$/.test(f) && !/\.(gz|sha256|tmp)$/.test(f));
    if (hit) return path.join(dir, hit);
  }
  return undefined;
}

export function chooseSchemaEngine(env: NodeJS.ProcessEnv = process.env, root = PROJECT_ROOT): SchemaEngineChoice {
  // 1. The user's explicit choice wins (as it does for the CLI itself).
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) return { source: "env", binary: env.PRISMA_SCHEMA_ENGINE_BINARY };
  // (its deprecated name, which the CLI still honours)
  if (env.PRISMA_MIGRATION_ENGINE_BINARY) return { source: "env", binary: env.PRISMA_MIGRATION_ENGINE_BINARY };
  // 2. A native engine is already downloaded: use it unchanged.
  if (findNativeSchemaEngine(root)) return { source: "native" };
  // 3. Otherwise Prisma's official wasm build of the same engine, behind a CLI-compatible stand-in.
  return { source: "wasm", binary: WASM_STAND_IN };
}
