// What a stopped local stack must not leave behind, for the tests that stop it every way a user
// can (Ctrl-C, a closed terminal, kill -9): no server process of its data directory, no listener.
import { execFileSync } from "node:child_process";
import { accepts } from "@starter/local-postgres";

/** Whether something accepts connections on 127.0.0.1:port. */
export const listening = accepts;

/** Live processes (zombies left out) as [pid, process group, command line]. */
function processes(): Array<[pid: number, pgid: number, args: string]> {
  return execFileSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith("Z"))
    .map((m) => [Number(m[1]), Number(m[2]), m[4]!]);
}

/** The command lines naming `dir`: its PostgreSQL (-D dir/data) and PgBouncer (dir/pgbouncer/…). */
export const processesOf = (dir: string): string[] =>
  processes().flatMap(([, , args]) => (args.includes(dir) ? [args] : []));

/** Resolves once no live process is left in group `pgid` (a terminal's prompt comes back then). */
export async function groupExited(pgid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processes().some(([, group]) => group === pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What is still running from `dataDir` or listening on `ports`, polled for up to `graceMs` (a
 * PgBouncer signalled as its parent exits takes a moment to go): [] when everything stopped.
 */
export async function leftovers(dataDir: string, ports: number[], graceMs = 3_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = [...processesOf(dataDir)];
    for (const port of ports) if (await listening(port)) left.push(`a listener on 127.0.0.1:${port}`);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops what a failed test left running from `dir`, so that it does not outlive the run. */
export function stopLeftovers(dir: string): void {
  for (const [pid, , args] of processes()) {
    // runuser (as root) ends with its child; signalled itself, it would wait 2 s first.
    if (!args.includes(dir) || args.startsWith("runuser")) continue;
    try {
      // PostgreSQL's immediate shutdown; PgBouncer's plain stop.
      process.kill(pid, /postgres -D/.test(args) ? "SIGQUIT" : "SIGTERM");
    } catch {
      // gone meanwhile
    }
  }
}
