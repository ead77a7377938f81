/**
 * The speed layer: what makes Prisma cheaper per request on Workers by leaning on Prisma 7.10's
 * internals (test/worker/speed/prisma-internals.test.ts names each one). src/db/prisma.ts works
 * without it; only the Worker's entry (src/index.ts) installs it, and nothing else in src/ imports it.
 * - shared-compiler.ts: one query compiler and plan cache per isolate instead of one per client;
 * - client-pool.ts: clients reused by request after request, one request at a time;
 * - warm-up.ts: the compilers built and the routes' queries planned while the isolate starts.
 * Off: PRISMA_SPEED_LAYER = "off" in wrangler.toml's [vars], and clients are stock Prisma.
 * What each part gains: docs/PERFORMANCE.md, "The speed layer".
 */
import type { Bindings } from "../../env";
import { PrismaClient } from "../../generated/prisma/client";
import type { SpeedLayerPart } from "../../lib/speed-layer-parts";
import { type ClientOptions, type ClientSource, useClientSource } from "../prisma";
import { leaseClient } from "./client-pool";
import { refuseSharing, sharedCompilerClient, sharedCompilerCounts } from "./shared-compiler";
import { type StartupQueries, settingsOrDefaults, warmUpQueryCompiler } from "./warm-up";

export type { StartupQueries } from "./warm-up";

/**
 * Plugs the layer's clients into src/db/prisma.ts and warms them up. For the Worker's entry, at
 * module scope: it does no I/O (warm-up.ts). A failed warm-up only costs the first request its
 * head start; a Prisma whose hooks did not take effect gets stock clients, with one warning.
 */
export async function installSpeedLayer(startupQueries: StartupQueries[], env: Bindings): Promise<void> {
  const parts = useSpeedClients(env);
  if (!parts.has("warm-up")) return;
  try {
    await warmUpQueryCompiler(startupQueries, env);
    // Its clients planned queries: with the wasm hook in effect, on a shared compiler.
    if (parts.has("shared-compiler") && sharedCompilerCounts().compilersBuilt === 0) {
      refuseSharing("Prisma loaded its query compiler without the compilerWasm.getRuntime hook");
    }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    console.warn(JSON.stringify({ level: "warn", msg: "query compiler warm-up failed", error: { name, message } }));
  }
}

/** Plugs in the clients of the parts PRISMA_SPEED_LAYER names (none: stock Prisma); returns them. */
export function useSpeedClients(env: Bindings): ReadonlySet<SpeedLayerPart> {
  const parts = settingsOrDefaults(env).prismaSpeedLayer;
  useClientSource(parts.size === 0 ? undefined : speedClients(parts));
  return parts;
}

function speedClients(parts: ReadonlySet<SpeedLayerPart>): ClientSource {
  const build = (options: ClientOptions): PrismaClient =>
    (parts.has("shared-compiler") && sharedCompilerClient(options)) || new PrismaClient(options);
  if (!parts.has("client-pool")) return { lease: (options) => ({ prisma: build(options), run: (work) => work() }) };
  // Clients under one key must be interchangeable: all that differs between requests' options is
  // the adapter (the pool swaps it per lease) and the limits (the key).
  return {
    lease: ({ adapter, transactionOptions: limits }) =>
      leaseClient(`${limits.maxWait}/${limits.timeout}`, adapter, (holder) =>
        build({ adapter: holder, transactionOptions: limits }),
      ),
  };
}
