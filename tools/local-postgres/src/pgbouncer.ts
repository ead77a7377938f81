// A real PgBouncer in transaction mode in front of the local PostgreSQL: what Neon runs behind a
// `-pooler` host. Debian's `pgbouncer` package (1.18); run in the foreground as a child process, as
// the postgres user when we are root (it refuses root), with its config and pid file in a directory
// beside the cluster's data (or a throwaway one).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { findFreePort } from "./free-port.js";
import { runAsForCurrentUser } from "./run-as.js";

export interface Pooler {
  /** host:port PgBouncer listens on (loopback only). */
  address: { host: string; port: number };
  /** The upstream URL with its host:port replaced by PgBouncer's. */
  url: string;
  stop(): Promise<void>;
}

/** PGBOUNCER (a path) if set, else `pgbouncer` on PATH or in /usr/sbin (Debian puts it there). */
export function findPgbouncer(): string | undefined {
  if (process.env.PGBOUNCER) return process.env.PGBOUNCER;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin"];
  for (const dir of dirs.filter(Boolean)) {
    const file = join(dir, "pgbouncer");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The settings that make it behave as Neon's pooler does for a client: transaction pooling, so a
 * server connection serves many clients one transaction at a time; and a `DISCARD ALL` whenever a
 * server connection goes back to the pool, so nothing a client left in its session (SET, a temp
 * table, a session advisory lock, a prepared statement) is seen by the next client.
 * `options` and `extra_float_digits` are startup parameters drivers send that 1.18 would otherwise
 * refuse ("unsupported startup parameter").
 * Clients authenticate with MD5, not SCRAM: its only client is the local Neon (on loopback, after it
 * has checked the password itself), and PgBouncer 1.18's SCRAM against a plaintext userlist costs
 * 5–15 ms of its CPU per connection, which every local WebSocket connect paid and Neon's proxy,
 * inside Neon's region, does not charge its users. MD5 takes ~1 ms.
 */
function configFor(opts: { upstream: URL; port: number; dir: string }): string {
  const upstreamPort = opts.upstream.port || "5432";
  return `[databases]
* = host=${opts.upstream.hostname} port=${upstreamPort}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${opts.port}
unix_socket_dir =
pidfile = ${join(opts.dir, PID_FILE)}
auth_type = md5
auth_file = ${join(opts.dir, "userlist.txt")}
pool_mode = transaction
server_reset_query = DISCARD ALL
server_reset_query_always = 1
ignore_startup_parameters = extra_float_digits,options
max_client_conn = 1000
default_pool_size = 20
log_connections = 0
log_disconnections = 0
`;
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

const CONFIG_FILE = "pgbouncer.ini";
const PID_FILE = "pgbouncer.pid";

/** Starts PgBouncer in front of `upstreamUrl` (postgres://user:password@127.0.0.1:port/db). */
export async function startPgbouncer(opts: {
  upstreamUrl: string;
  binary?: string;
  port?: number;
  /**
   * Its files go here (e.g. beside the cluster's data), and a PgBouncer a killed run left running
   * from here is stopped first; omitted → a throwaway directory. Removed on stop either way.
   */
  dir?: string;
  log?: (line: string) => void;
}): Promise<Pooler> {
  const binary = opts.binary ?? findPgbouncer();
  if (!binary) throw new Error("pgbouncer is not installed (apt-get install pgbouncer)");
  const upstream = new URL(opts.upstreamUrl);
  const port = opts.port || (await findFreePort());
  if (opts.dir) {
    await stopLeftover(opts.dir, opts.log);
    rmSync(opts.dir, { recursive: true, force: true });
    mkdirSync(opts.dir, { recursive: true });
  }
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "local-pgbouncer-"));
  // The one login the local cluster has; PgBouncer checks clients against it and logs in to
  // Postgres with it (SCRAM, as the cluster asks).
  const user = decodeURIComponent(upstream.username);
  writeFileSync(join(dir, "userlist.txt"), `${quote(user)} ${quote(decodeURIComponent(upstream.password))}\n`, {
    mode: 0o600,
  });
  writeFileSync(join(dir, CONFIG_FILE), configFor({ upstream, port, dir }), { mode: 0o600 });
  const runAs = runAsForCurrentUser();
  runAs.own(dir);
  const [cmd, args] = runAs.command(binary, [join(dir, CONFIG_FILE)]);
  // Its own process group, so stop() reaches pgbouncer itself and not only runuser.
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  let stopped = false;
  // PgBouncer's own pid, once it has written it (as root, child.pid is runuser's).
  let pid: number | undefined;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    // PgBouncer itself when known: runuser, signalled, waits 2 s before it lets go. Else the group.
    if (pid) signal(pid, "SIGTERM");
    else killGroup(child, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopSync);
  try {
    await waitForListening(child, port, () => stderr);
    pid = readPid(dir);
  } catch (error) {
    stopSync();
    process.removeListener("exit", stopSync);
    throw error;
  }
  opts.log?.(`PgBouncer ${version(binary)} (transaction mode) on 127.0.0.1:${port}`);
  const url = new URL(opts.upstreamUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    address: { host: "127.0.0.1", port },
    url: url.toString(),
    async stop() {
      process.removeListener("exit", stopSync);
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
      );
      stopSync();
      await exited;
    },
  };
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid) signal(-child.pid, sig);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function readPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, PID_FILE), "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a PgBouncer running `dir`'s config (not a pid since reused, not a zombie). */
function runsFrom(pid: number, dir: string): boolean {
  const ps = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
  return ps.status === 0 && ps.stdout.includes(join(dir, CONFIG_FILE));
}

/**
 * Stops the PgBouncer a killed run (kill -9, a crash) left running from `dir`: its pid
 * file names it. The caller owns `dir` (the cluster's claim), so that PgBouncer is nobody's now.
 */
async function stopLeftover(dir: string, log?: (line: string) => void): Promise<void> {
  const pid = readPid(dir);
  if (!pid || !runsFrom(pid, dir)) return;
  log?.(`stopping the PgBouncer a previous run left running (pid ${pid})`);
  signal(pid, "SIGTERM");
  for (let waited = 0; waited < 5_000 && runsFrom(pid, dir); waited += 50) await new Promise((r) => setTimeout(r, 50));
  if (runsFrom(pid, dir)) signal(pid, "SIGKILL");
}

function version(binary: string): string {
  const out = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /PgBouncer (\S+)/.exec(out)?.[1] ?? "";
}

/** Resolves once something accepts on the port; rejects with PgBouncer's own words if it exits. */
async function waitForListening(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const last = stderr().trim().split("\n").pop() ?? "";
      throw new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode}): ${last}`);
    }
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pgbouncer did not listen on 127.0.0.1:${port} within 10 s`);
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
