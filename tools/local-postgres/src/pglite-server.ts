// Embedded fallback: PGlite (PostgreSQL compiled to wasm) behind a TCP socket.
// PGlite has no authentication; the local Neon proxy checks the password itself (see
// tools/local-neon/src/proxy/startup-auth.ts), so the URL still carries one, as on Neon.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { claimDataDir, NO_CLAIM, releaseAndThrow } from "./data-dir-owner.js";
import { assertPortFree, findFreePort } from "./free-port.js";
import type { DatabaseServer } from "./server.js";

export const PGLITE_USER = "postgres";
export const PGLITE_PASSWORD = "postgres";
export const PGLITE_DATABASE = "postgres";

/** Where a kept PGlite directory's claim lives: beside it, not in it (PGlite's own files). */
export function pgliteClaim(dataDir: string): [root: string, file: string] {
  return [dirname(dataDir), `${basename(dataDir)}.owner.json`];
}

export async function startPgliteServer(opts: {
  dataDir?: string;
  port?: number;
  log: (line: string) => void;
}): Promise<DatabaseServer> {
  const temporary = !opts.dataDir;
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : mkdtempSync(join(tmpdir(), "local-pglite-"));
  mkdirSync(dataDir, { recursive: true });
  const claim = temporary ? NO_CLAIM : claimDataDir(...pgliteClaim(dataDir), "the local PGlite database");
  if (opts.port) await assertPortFree(opts.port).catch(releaseAndThrow(claim));
  opts.log(`opening PGlite in ${temporary ? "a throwaway dir" : dataDir}`);
  const db = await PGlite.create(dataDir);
  const port = opts.port || (await findFreePort());
  // The default of 1 connection makes a second client fail with "Too many connections".
  // Note: all socket connections still share PGlite's single backend session.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 64 });
  await server.start();
  opts.log(`PGlite listening on 127.0.0.1:${port}`);
  const url = `postgres://${PGLITE_USER}:${PGLITE_PASSWORD}@127.0.0.1:${port}/${PGLITE_DATABASE}`;
  claim.publish(url);
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
      claim.release();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
