// Ctrl-C stops the local stack whenever it lands: while it starts (initdb, pg_ctl, migrations,
// PgBouncer) or once it is ready, nothing is left running. It used to leave PostgreSQL (and
// PgBouncer) running in about half the tries: tsx's CLI re-sent Ctrl-C to its child, and
// shutdown.ts, listening `once`, let the second one kill the process mid-cleanup.
// Through the stack's own CLI, as `npm run neon:local` runs it (node --import tsx, in a process
// group of its own as a terminal's): the same tsx loader and shutdown.ts as `npm run dev`, without
// wrangler, whose start would make 20 runs take minutes (~10 s each instead of ~2 s here; `npm run
// dev` itself is stopped every way in test/scripts/dev-command.test.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort, findPostgresBinDir } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupExited, leftovers, stopLeftovers } from "./processes.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const CLI = path.join(ROOT, "tools/local-neon/src/cli.ts");
const READY = "Ctrl-C to stop.";

interface CliRun {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
}

/** The CLI as `npm run neon:local` runs it, in its own process group as a terminal runs a command. */
function startCli(dataDir: string, ports: { neon: number; db: number }): CliRun {
  const { NODE_ENV: _test, ...env } = process.env;
  const args = ["--db", "postgres", "--port", String(ports.neon), "--db-port", String(ports.db)];
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args, "--data-dir", dataDir], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const ready = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (output.includes(READY)) resolve();
      else if (child.exitCode !== null) reject(new Error(`neon:local exited before ready:\n${output}`));
      else return;
      clearInterval(poll);
    }, 20);
  });
  ready.catch(() => {});
  return { child, output: () => output, ready };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

describe.skipIf(!findPostgresBinDir())("the local stack's CLI (npm run neon:local), Ctrl-C", () => {
  // Kept data, as npm run dev keeps it (0755: as root, the cluster runs as postgres).
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "neon-local-ctrl-c-"));
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => {
    stopLeftovers(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("at 20 random moments, while starting and once ready, pressed once or twice, leaves nothing running", async () => {
    const ports = { neon: await findFreePort(), db: await findFreePort() };
    let readyMs = 3_000; // how long a start takes here, measured by the runs that wait for it
    const landed = { starting: 0, ready: 0 };
    for (let i = 0; i < 20; i++) {
      const run = startCli(dataDir, ports);
      const started = Date.now();
      if (i % 2 === 0) {
        await Promise.race([run.ready, sleep(Math.random() * readyMs)]);
      } else {
        await run.ready;
        readyMs = Date.now() - started;
        await sleep(Math.random() * 300);
      }
      landed[run.output().includes(READY) ? "ready" : "starting"]++;
      signalGroup(run.child.pid!, "SIGINT");
      // Half the runs press it twice, as an impatient user (or a parent passing it on) does.
      if (i % 4 >= 2) {
        await sleep(Math.random() * 50);
        signalGroup(run.child.pid!, "SIGINT");
      }
      await groupExited(run.child.pid!);
      expect(await leftovers(dataDir, [ports.neon, ports.db]), `run ${i}:\n${run.output()}`).toEqual([]);
      // Once it has started, the cleanup runs to its end (a second Ctrl-C used to cut it short).
      if (run.output().includes("• ")) expect(run.output(), `run ${i}`).toContain("• stopped");
    }
    expect(landed.starting).toBeGreaterThan(3);
    expect(landed.ready).toBeGreaterThan(3);
  }, 240_000);
});
