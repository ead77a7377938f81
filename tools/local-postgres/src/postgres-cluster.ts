// A real PostgreSQL cluster run from the Debian server binaries (initdb + pg_ctl).
// Host connections use `password` (cleartext) auth and the user has a password, like
// Neon: the driver's default pipelined connect (startup + cleartext password in one
// flight) then works unchanged, even when something tunnels straight to this server.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import pg from "pg";
import { claimDataDir, NO_CLAIM, releaseAndThrow } from "./data-dir-owner.js";
import { assertPortFree, findFreePort } from "./free-port.js";
import { type RunAs, run, runAsForCurrentUser, spawnServerCommand } from "./run-as.js";
import type { DatabaseServer } from "./server.js";

export const CLUSTER_USER = "neon";
export const CLUSTER_PASSWORD = "neon-local-password";
export const CLUSTER_DATABASE = "neondb";

const hasServer = (bin: string) => existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"));

/** `<root>/<version-ish>/<sub>` directories that hold a server, highest version first. */
function versioned(root: string, pattern: RegExp, sub: string): string[] {
  if (!existsSync(root)) return [];
  const version = (name: string) => Number(pattern.exec(name)?.[1] ?? Number.NaN);
  return readdirSync(root)
    .filter((name) => pattern.test(name))
    .sort((a, b) => version(b) - version(a))
    .map((name) => join(root, name, sub))
    .filter(hasServer);
}

/**
 * Where PostgreSQL's server binaries (initdb and pg_ctl) are, and how they were found:
 * POSTGRES_BIN_DIR; Debian/Ubuntu's /usr/lib/postgresql/<v>/bin; RHEL's /usr/pgsql-<v>/bin; a
 * directory on PATH; Homebrew (/opt/homebrew, /usr/local: opt/postgresql@<v>/bin, then bin);
 * Postgres.app. Undefined when none has both (the stack then falls back to PGlite, saying so).
 */
export function locatePostgresBinDir(env: NodeJS.ProcessEnv = process.env): { dir: string; via: string } | undefined {
  if (env.POSTGRES_BIN_DIR) {
    if (!hasServer(env.POSTGRES_BIN_DIR))
      throw new Error(`POSTGRES_BIN_DIR=${env.POSTGRES_BIN_DIR} has no initdb and pg_ctl`);
    return { dir: env.POSTGRES_BIN_DIR, via: "POSTGRES_BIN_DIR" };
  }
  const candidates: Array<[string[], string]> = [
    [versioned("/usr/lib/postgresql", /^(\d+(?:\.\d+)?)$/, "bin"), "Debian's packages"],
    [versioned("/usr", /^pgsql-(\d+)$/, "bin"), "the PGDG packages"],
    [(env.PATH ?? "").split(delimiter).filter((d) => d && hasServer(d)), "PATH"],
    [
      ["/opt/homebrew/opt", "/usr/local/opt"].flatMap((root) => versioned(root, /^postgresql@(\d+)$/, "bin")),
      "Homebrew",
    ],
    [["/opt/homebrew/bin", "/usr/local/bin"].filter(hasServer), "Homebrew"],
    [["/Applications/Postgres.app/Contents/Versions/latest/bin"].filter(hasServer), "Postgres.app"],
  ];
  for (const [dirs, via] of candidates) if (dirs[0]) return { dir: dirs[0], via };
  return undefined;
}

/** The server binaries' directory, if any (locatePostgresBinDir without the how). */
export function findPostgresBinDir(): string | undefined {
  return locatePostgresBinDir()?.dir;
}

/** A kept cluster's claim (claimDataDir), in its root beside data/. */
export const CLUSTER_CLAIM_FILE = "owner.json";

export async function startPostgresCluster(opts: {
  binDir: string;
  dataDir?: string;
  port?: number;
  log: (line: string) => void;
}): Promise<DatabaseServer> {
  const runAs = runAsForCurrentUser();
  const temporary = !opts.dataDir;
  // Everything lives under one root: data/, the unix socket dir and the server log.
  const root = opts.dataDir ? resolve(opts.dataDir) : mkdtempSync(join(tmpdir(), "local-pg-"));
  const dataDir = join(root, "data");
  const socketDir = join(root, "socket");
  const logFile = join(root, "server.log");
  mkdirSync(socketDir, { recursive: true });
  // Before anything touches the cluster: another live process's (a second `npm run dev`) is left alone.
  const claim = temporary ? NO_CLAIM : claimDataDir(root, CLUSTER_CLAIM_FILE, "the local PostgreSQL");
  const initdb = join(opts.binDir, "initdb");
  const pgCtl = join(opts.binDir, "pg_ctl");
  // Ours now, so a server still running from it is one a killed run left behind: it holds the port.
  if (!temporary) stopLeftover(runAs, pgCtl, dataDir, opts.log);
  // A given port someone else holds is refused, never swapped (a documented DIRECT_URL names it).
  if (opts.port) await assertPortFree(opts.port).catch(releaseAndThrow(claim));

  const fresh = !existsSync(join(dataDir, "PG_VERSION"));
  if (fresh) {
    opts.log(`initdb ${temporary ? "(throwaway cluster)" : `in ${root}`}`);
    mkdirSync(dataDir, { recursive: true });
    const pwFile = join(root, "pwfile");
    writeFileSync(pwFile, `${CLUSTER_PASSWORD}\n`, { mode: 0o600 });
    runAs.own(root);
    try {
      run(runAs, initdb, [
        "-D",
        dataDir,
        "-U",
        CLUSTER_USER,
        `--pwfile=${pwFile}`,
        "--no-sync",
        "--auth-local=trust",
        "--auth-host=password",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
      ]);
    } finally {
      rmSync(pwFile, { force: true });
    }
  } else {
    opts.log(`reusing cluster in ${root}`);
    runAs.own(root);
  }

  const port = opts.port || (await findFreePort());
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    // Again if a Ctrl-C still reached pg_ctl, in the instant before it left our process group.
    for (let tries = 0; tries < 3; tries++) {
      if (!spawnServerCommand(runAs, pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w"]).signal) break;
    }
    claim.release();
    if (temporary) rmSync(root, { recursive: true, force: true });
  };
  // Never leave a stray postmaster behind if the process exits without stop(). Set before the
  // start: a Ctrl-C during it is handled once pg_ctl returns, and a failed start may leave one up.
  process.once("exit", stopSync);

  const url = `postgres://${CLUSTER_USER}:${CLUSTER_PASSWORD}@127.0.0.1:${port}/${CLUSTER_DATABASE}`;
  try {
    opts.log(`starting PostgreSQL on 127.0.0.1:${port}`);
    run(runAs, pgCtl, [
      "start",
      "-w",
      "-D",
      dataDir,
      "-l",
      logFile,
      "-o",
      `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=${temporary ? "off" : "on"}`,
    ]);
    // On every start, not only after initdb: a first run stopped right after initdb has none yet.
    await createDatabaseIfMissing(port);
  } catch (error) {
    process.removeListener("exit", stopSync);
    stopSync();
    throw error;
  }

  claim.publish(url);
  return {
    url,
    dir: root,
    async stop() {
      process.removeListener("exit", stopSync);
      stopSync();
    },
  };
}

async function createDatabaseIfMissing(port: number): Promise<void> {
  const admin = new pg.Client({
    host: "127.0.0.1",
    port,
    user: CLUSTER_USER,
    password: CLUSTER_PASSWORD,
    database: "postgres",
  });
  await admin.connect();
  try {
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [CLUSTER_DATABASE]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${CLUSTER_DATABASE}`);
  } finally {
    await admin.end();
  }
}

/**
 * Stops the server a killed run (kill -9, a crash) left running from this data directory:
 * its postmaster.pid names this directory and a live process. The claim taken before this call
 * says no live process owns the directory, so that server is nobody's now.
 */
function stopLeftover(runAs: RunAs, pgCtl: string, dataDir: string, log: (line: string) => void): void {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n");
    if (realpathSync(lines[1] ?? "") !== realpathSync(dataDir)) return; // a copied directory's file
  } catch {
    return; // never started, or stopped cleanly
  }
  if (spawnServerCommand(runAs, pgCtl, ["status", "-D", dataDir]).status !== 0) return; // a stale file
  log(`stopping the PostgreSQL a previous run left running (pid ${lines[0]}, port ${lines[3]})`);
  run(runAs, pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w"]);
}
