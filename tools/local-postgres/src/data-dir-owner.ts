// One process at a time per kept data directory (`npm run dev`'s .local/…). A second `npm run dev`
// used to stop the first one's PostgreSQL (pg_ctl stop on a cluster it found running) and then
// report a port clash, leaving the first serving 503s with nothing in its terminal. Now the
// second refuses up front, naming the process that owns the directory, and touches nothing.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Owner {
  pid: number;
  command: string;
  /** The running database's URL (RUNNING_FILE only). */
  url?: string;
}

/** Beside a kept database while it runs: who runs it and its URL (publishRunningUrl). */
const RUNNING_FILE = "running.json";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/** Another live process's claim on `root`, if any (a dead one's claim is stale: ours to take). */
export function liveOwner(root: string, file = "owner.json"): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(root, file), "utf8")) as Owner;
    return owner.pid !== process.pid && alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims `root` for this process, or throws one line naming its owner. `what` says what the
 * directory holds (for that line); the claim is `file` in `root`. Returns the release, which the
 * caller runs when it stops.
 */
export function claimDataDir(root: string, what: string, file = "owner.json"): () => void {
  const owner = liveOwner(root, file);
  if (owner) {
    throw new Error(
      `${what} in ${root} is in use by process ${owner.pid} (${owner.command}); stop that one first (Ctrl-C in its terminal), or set LOCAL_DATA_DIR to run a second one`,
    );
  }
  return writeClaim(root, file);
}

/** For a failed start after the claim: gives the directory back, then rethrows. */
export const releaseAndThrow =
  (release: () => void) =>
  (error: unknown): never => {
    release();
    throw error;
  };

/** Writes this process's claim (`file` in `root`); the returned function removes it unless taken over. */
function writeClaim(root: string, file: string, url?: string): () => void {
  const command = process.argv
    .slice(1)
    .map((a) => a.split("/").slice(-2).join("/"))
    .join(" ");
  writeFileSync(join(root, file), JSON.stringify({ pid: process.pid, command, url } satisfies Owner));
  return () => {
    if (liveOwner(root, file) === undefined) rmSync(join(root, file), { force: true });
  };
}

/**
 * While `npm run dev` (or neon:local) runs, its database's URL sits beside the kept data, so the
 * Node scripts (npm run prisma, db:migrate, db:seed) find the local DIRECT_URL without a .env.
 * Returns the removal, run on stop; a crashed owner's file is ignored (its pid is gone).
 */
export function publishRunningUrl(root: string, url: string): () => void {
  return writeClaim(root, RUNNING_FILE, url);
}

/** The URL of the database another live process runs under `root` (publishRunningUrl), if any. */
export function runningDatabaseUrl(root: string): string | undefined {
  return liveOwner(root, RUNNING_FILE)?.url;
}
