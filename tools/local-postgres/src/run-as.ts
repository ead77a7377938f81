// Running a server binary as its own user: PostgreSQL's initdb and postgres, and PgBouncer, all
// refuse to run as root. As root (CI containers) they run as the `postgres` user via runuser, and
// the directories they use are given to it; as anyone else, they run as that user.
import {
  execFileSync,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
  spawnSync,
} from "node:child_process";
import { chownSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface RunAs {
  /** Prefix that runs a command as the cluster owner (initdb refuses root). */
  command(file: string, args: string[]): [string, string[]];
  /** Gives a directory to the cluster owner. */
  own(path: string): void;
}

export function runAsForCurrentUser(): RunAs {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) return { command: (file, args) => [file, args], own: () => {} };
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return {
    command: (file, args) => ["runuser", ["-u", "postgres", "--", file, ...args]],
    own: (path) => {
      assertReachable(path, uid);
      chownRecursive(path, uid, gid);
    },
  };
}

/**
 * The server runs as the postgres user, which must be able to walk into the data directory: a
 * parent only root may enter (a home directory such as /root is 0700) makes initdb fail with a
 * bare "Permission denied". Say so, and what to do, instead.
 */
function assertReachable(path: string, uid: number): void {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const { mode, uid: owner } = statSync(dir);
    if (owner !== uid && (mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the postgres user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}), ` +
          `so it cannot use ${path}: set LOCAL_DATA_DIR to a directory it can reach (e.g. /var/tmp/neon-local), or LOCAL_DB=pglite`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

function chownRecursive(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownRecursive(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

/**
 * Runs a server command (initdb, pg_ctl) to its end. In a process group of its own: a Ctrl-C in
 * the terminal is for the command that started it, which then stops what it must; reaching pg_ctl
 * too, a second one would cut short the very `pg_ctl stop` of that cleanup.
 */
export function spawnServerCommand(runAs: RunAs, file: string, args: string[]): SpawnSyncReturns<string> {
  const [cmd, cmdArgs] = runAs.command(file, args);
  // spawnSync honours `detached` as spawn does (a new session), though @types/node leaves it out.
  const options = { encoding: "utf8", detached: true } as SpawnSyncOptionsWithStringEncoding;
  return spawnSync(cmd, cmdArgs, options);
}

export function run(runAs: RunAs, file: string, args: string[]): void {
  const result = spawnServerCommand(runAs, file, args);
  if (result.status !== 0) {
    throw new Error(
      `${file.split("/").pop()} failed (exit ${result.status}): ${(result.stderr || result.stdout || "").trim()}`,
    );
  }
}
