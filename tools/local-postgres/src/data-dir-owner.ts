// One process at a time per kept data directory (`npm run dev`'s .local/…). A second `npm run dev`
// used to stop the first one's PostgreSQL (pg_ctl stop on a cluster it found running) and then
// report a port clash, leaving the first serving 503s with nothing in its terminal. Now the
// second refuses up front, naming the process that owns the directory, and touches nothing.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Owner {
  pid: number;
  command: string;
  /** The database's URL, once it serves (Claim.publish). */
  url?: string;
}

/** A process's hold on a kept data directory (claimDataDir). */
export interface Claim {
  /** Records the URL the database serves on, so others can find it (npm run prisma) or name it. */
  publish(url: string): void;
  /** Gives the directory back (on stop). */
  release(): void;
}

/** No claim: a throwaway directory is nobody else's business. */
export const NO_CLAIM: Claim = { publish() {}, release() {} };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/** Another live process's claim on `root`, if any (a dead one's claim is stale: ours to take). */
export function liveOwner(root: string, file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(root, file), "utf8")) as Owner;
    return owner.pid !== process.pid && alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims `root` for this process, or throws one line naming its owner (and its port, once
 * published). The claim is `file` in `root`; `what` says what the directory holds (for that line).
 */
export function claimDataDir(root: string, file: string, what: string): Claim {
  const owner = liveOwner(root, file);
  if (owner) {
    const on = owner.url ? `, serving 127.0.0.1:${new URL(owner.url).port}` : "";
    throw new Error(
      `${what} in ${root} is in use by process ${owner.pid} (${owner.command}${on}); stop that one first (Ctrl-C in its terminal), or set LOCAL_DATA_DIR to run a second one`,
    );
  }
  const command = process.argv
    .slice(1)
    .map((a) => a.split("/").slice(-2).join("/"))
    .join(" ");
  const write = (url?: string) =>
    writeFileSync(join(root, file), JSON.stringify({ pid: process.pid, command, url } satisfies Owner));
  write();
  return {
    publish: (url) => write(url),
    release() {
      if (liveOwner(root, file) === undefined) rmSync(join(root, file), { force: true });
    },
  };
}

/**
 * The URL of a database another live process serves from `root`'s claim `file`, if any: while
 * `npm run dev` runs, the Node scripts (npm run prisma) find the local DIRECT_URL this way. A
 * crashed owner's claim is ignored (its pid is gone).
 */
export function servedUrl(root: string, file: string): string | undefined {
  return liveOwner(root, file)?.url;
}

/** For a failed start after the claim: gives the directory back, then rethrows. */
export const releaseAndThrow =
  (claim: Claim) =>
  (error: unknown): never => {
    claim.release();
    throw error;
  };
