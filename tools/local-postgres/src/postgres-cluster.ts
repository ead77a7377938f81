// A real PostgreSQL cluster run from the Debian server binaries (initdb + pg_ctl).
// Host connections use `password` (cleartext) auth and the user has a password, like
// Neon: the driver's default pipelined connect (startup + cleartext password in one
// flight) then works unchanged, even when something tunnels straight to this server.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { claimDataDir } from "./data-dir-owner.js";
import { findFreePort } from "./free-port.js";
import { run, runAsForCurrentUser } from "./run-as.js";
import type { DatabaseServer } from "./server.js";

export const CLUSTER_USER = "neon";
export const CLUSTER_PASSWORD = "neon-local-password";
export const CLUSTER_DATABASE = "neondb";

/** Highest installed /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, if any. */
export function findPostgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
  }
  return undefined;
}

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
  const release = temporary ? () => {} : claimDataDir(root, "the local PostgreSQL");
  const initdb = join(opts.binDir, "initdb");
  const pgCtl = join(opts.binDir, "pg_ctl");

  const fresh = !existsSync(join(dataDir, "PG_VERSION"));
  if (fresh) {
    opts.log(`initdb ${temporary ? "(throwaway cluster)" : `in ${root}`}`);
    mkdirSync(dataDir, { recursive: true });
    const pwFile = join(root, "pwfile");
    writeFileSync(pwFile, `${CLUSTER_PASSWORD}\n`, { mode: 0o600 });
    runAs.own(root);
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
    rmSync(pwFile, { force: true });
  } else {
    opts.log(`reusing cluster in ${root}`);
    runAs.own(root);
    // A previous run that died may still hold it (crash, kill -9): stop it first. (A live one
    // would have been refused above.)
    const [cmd, args] = runAs.command(pgCtl, ["status", "-D", dataDir]);
    if (spawnSync(cmd, args).status === 0) run(runAs, pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w"]);
  }

  const port = opts.port || (await findFreePort());
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

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const [cmd, args] = runAs.command(pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w"]);
    spawnSync(cmd, args);
    release();
    if (temporary) rmSync(root, { recursive: true, force: true });
  };
  // Never leave a stray postmaster behind if the process exits without stop().
  process.once("exit", stopSync);

  const url = `postgres://${CLUSTER_USER}:${CLUSTER_PASSWORD}@127.0.0.1:${port}/${CLUSTER_DATABASE}`;
  if (fresh) {
    const admin = new pg.Client({
      host: "127.0.0.1",
      port,
      user: CLUSTER_USER,
      password: CLUSTER_PASSWORD,
      database: "postgres",
    });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${CLUSTER_DATABASE}`);
    } finally {
      await admin.end();
    }
  }

  return {
    url,
    async stop() {
      process.removeListener("exit", stopSync);
      stopSync();
    },
  };
}
