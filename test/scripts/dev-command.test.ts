// `npm run dev`, the main job, run for real: local Postgres, migrations, seed, local Neon and
// wrangler dev, then Ctrl-C. A second run must reuse the data; one started while the first runs
// must refuse without touching it; one after a kill -9 or a closed terminal must start and serve.
// The Worker answers only under loopback Host names unless --allow-host lets another in.
import { once } from "node:events";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalStack } from "@starter/local-neon";
import { findFreePort } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seed } from "../../scripts/db/seed-data.js";
import {
  groupExited,
  leftovers,
  listening,
  processesOf,
  stopLeftovers,
} from "../../tools/local-neon/test/processes.js";
import { type DevRun, ROOT, runScript, startDev as startDevRun, stopDev, waitFor } from "./helpers.js";

/** npm run dev's seed step for the project's seed (scripts/db/seed-data.ts), whichever it is. */
const SEEDED = seed ? /seeded the empty database \((.+)\)/ : /not seeding: scripts\/db\/seed-data\.ts exports no seed/;

/** scripts/ci/smoke.ts, the deploy pipeline's smoke test: /health, then a route of /openapi.json with and without the token. */
async function expectSmokePasses(origin: string) {
  const smoke = await runScript("scripts/ci/smoke.ts", [origin], { API_TOKEN: "local-dev-token" });
  expect(smoke.code, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);
  expect(smoke.stderr).toBe("");
}

const LOCAL_AUTH = { Authorization: "Bearer local-dev-token" };

/** GET on 127.0.0.1:port under another Host header, as a DNS-rebinding page's request arrives (fetch cannot set Host). */
function getWithHost(
  port: number,
  host: string,
  urlPath: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: urlPath, headers: { Host: host, ...LOCAL_AUTH } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }));
    });
    req.on("error", reject);
    req.end();
  });
}
// Made when a suite first runs (one a -t filter skips makes none) and removed after the file, with
// whatever a failed test left running: nothing started here outlives the file.
const dirs: string[] = [];
const runs: DevRun[] = [];
function freshDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
function startDev(env: Record<string, string>, args: string[] = []): DevRun {
  const run = startDevRun(env, args);
  runs.push(run);
  return run;
}
/**
 * Free ports for a dev run (its Worker, local Neon and database) and the env that gives them to
 * `npm run dev`, over `dataDir`. DEV_SKIP_BUILD: `npm test` built already; regenerating
 * src/generated now would race the Worker tests.
 */
async function devRunEnv(dataDir: string) {
  const ports = { worker: await findFreePort(), neon: await findFreePort(), db: await findFreePort() };
  const env = {
    PORT: String(ports.worker),
    NEON_LOCAL_PORT: String(ports.neon),
    LOCAL_DB_PORT: String(ports.db),
    LOCAL_DATA_DIR: dataDir,
    DEV_SKIP_BUILD: "1",
  };
  return { ports, env };
}

afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) await stopDev(run);
  for (const dir of dirs) {
    stopLeftovers(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("npm run dev", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = freshDir("dev-command-");
  });

  it("refuses in one line when another program holds the database's port, instead of moving", async () => {
    const other = createServer().listen(0, "127.0.0.1");
    await once(other, "listening");
    const port = (other.address() as AddressInfo).port;
    const clashDir = freshDir("dev-port-clash-");
    try {
      const run = startDev({
        PORT: String(await findFreePort()),
        NEON_LOCAL_PORT: String(await findFreePort()),
        LOCAL_DB_PORT: String(port),
        LOCAL_DATA_DIR: clashDir,
        DEV_SKIP_BUILD: "1",
      });
      expect(await run.exited).toBe(1);
      const errors = run
        .output()
        .split("\n")
        .filter((l) => l.includes("error"));
      expect(errors).toEqual([
        `[dev] error: port ${port} on 127.0.0.1 is already in use by another program (not this starter's database): stop it, or set LOCAL_DB_PORT to a free port (and DIRECT_URL in .env to match)`,
      ]);
    } finally {
      other.close();
    }
  });

  it("starts everything, seeds, passes the smoke test, stops on Ctrl-C, and reuses the data on a second run", async () => {
    const { ports, env } = await devRunEnv(dataDir);

    const first = startDev(env, ["--allow-host", "my-box.lan"]);
    await waitFor(first, "[dev] ready:");
    const steps = first
      .output()
      .split("\n")
      .filter((l) => l.startsWith("[dev]"));
    expect(steps.join("\n")).toMatch(/applied \d+ migration\(s\)/);
    const seeded = SEEDED.exec(steps.join("\n"));
    expect(seeded, steps.join("\n")).not.toBeNull();
    expect(first.output()).not.toContain("neon-local-password");
    // Quiet: no offline attempt to fetch Request.cf's data, and so no warning with a stack trace.
    expect(first.output()).not.toContain("Unable to fetch the `Request.cf` object");

    const health = await fetch(`http://127.0.0.1:${ports.worker}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", database: "up" });
    await expectSmokePasses(`http://127.0.0.1:${ports.worker}`);

    // DNS rebinding: a page whose name now points at 127.0.0.1 is refused, even with the published
    // token; loopback names pass, and the name --allow-host let in.
    const rebound = await getWithHost(ports.worker, `evil.example:${ports.worker}`, "/health");
    expect(rebound.status).toBe(403);
    expect(rebound.type).toBe("application/problem+json");
    expect(JSON.parse(rebound.body)).toMatchObject({ status: 403, title: "Forbidden", instance: "/health" });
    for (const host of ["localhost", "[::1]", "my-box.lan"]) {
      expect((await getWithHost(ports.worker, `${host}:${ports.worker}`, "/health")).status, host).toBe(200);
    }

    // A second `npm run dev` on the same data refuses in one line naming the first, and the first
    // keeps serving (it used to stop the first one's PostgreSQL, then report a port clash).
    const again = startDev(env);
    expect(await again.exited).toBe(1);
    const errors = again
      .output()
      .split("\n")
      .filter((l) => l.includes("error"));
    expect(errors).toEqual([expect.stringContaining(`is in use by process ${first.child.pid} `)]);
    expect(errors[0]).toContain(`serving 127.0.0.1:${ports.db})`); // which port, too
    expect((await fetch(`http://127.0.0.1:${ports.worker}/health`)).status).toBe(200);

    expect(await stopDev(first)).toBe(0);
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);

    const second = startDev(env);
    await waitFor(second, "[dev] ready:");
    expect(second.output()).toContain("migrations already applied");
    // Without --allow-host, only loopback names.
    expect((await getWithHost(ports.worker, `my-box.lan:${ports.worker}`, "/health")).status).toBe(403);
    expect(second.output()).toContain(
      seed
        ? `not seeding: the database has data (${seeded![1]})`
        : "not seeding: scripts/db/seed-data.ts exports no seed",
    );
    expect(await stopDev(second)).toBe(0);
  }, 240_000);
});

describe("npm run dev, stopped the hard way", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = freshDir("dev-killed-");
  });

  it("starts and serves again after a kill -9 of its process group, and stops everything when its terminal closes (SIGHUP)", async () => {
    const { ports, env } = await devRunEnv(dataDir);
    const health = () => fetch(`http://127.0.0.1:${ports.worker}/health`).then((res) => res.status);

    // Its temporary files (wrangler's, which kill -9 leaves behind) in a folder removed after the file.
    const killed = startDev({ ...env, TMPDIR: freshDir("dev-killed-tmp-") });
    await waitFor(killed, "[dev] ready:");
    const pooled = killed.output().includes("PgBouncer 1.");
    process.kill(-killed.child.pid!, "SIGKILL");
    await groupExited(killed.child.pid!);
    // What kill -9 leaves: PostgreSQL and PgBouncer, which run in sessions of their own.
    expect(processesOf(dataDir)).not.toEqual([]);

    // It used to refuse: "port … is already in use by another program (not this starter's database)".
    const next = startDev(env);
    await waitFor(next, "[dev] ready:");
    expect(next.output()).toMatch(/stopping the PostgreSQL a previous run left running \(pid \d+, port \d+\)/);
    if (pooled) expect(next.output()).toContain("stopping the PgBouncer a previous run left running");
    expect(await health()).toBe(200);

    // A closed terminal: what counts is that nothing is left. (Its last lines may go nowhere, as
    // they would with the terminal gone, so "[dev] stopped" is not asked for here.)
    process.kill(-next.child.pid!, "SIGHUP");
    await groupExited(next.child.pid!);
    expect(await leftovers(dataDir, Object.values(ports))).toEqual([]);

    const after = startDev(env);
    await waitFor(after, "[dev] ready:");
    expect(after.output()).not.toContain("a previous run left running");
    expect(await health()).toBe(200);
    expect(await stopDev(after)).toBe(0);
    expect(await leftovers(dataDir, Object.values(ports))).toEqual([]);
  }, 240_000);
});

// Writes the repo's .dev.vars for the duration of the test, so it only runs where there is none
// (CI, fresh clones): a developer's own file is never touched.
const devVarsPath = path.join(ROOT, ".dev.vars");

describe("npm run dev with a DATABASE_URL in .dev.vars", () => {
  it.skipIf(existsSync(devVarsPath))(
    "starts nothing local and runs the Worker on those bindings",
    async () => {
      // Stands in for "your own database": reachable only through this proxy, so a 200 from
      // /health proves wrangler handed the Worker both .dev.vars keys (NEON_LOCAL_PROXY included).
      const stack = await startLocalStack();
      const ports = { worker: await findFreePort(), neon: await findFreePort(), db: await findFreePort() };
      try {
        writeFileSync(
          devVarsPath,
          `DATABASE_URL="${stack.directUrl}"\nNEON_LOCAL_PROXY="${stack.neonProxy}"\nAPI_TOKEN="t"\n`,
        );
        const run = startDev({
          PORT: String(ports.worker),
          NEON_LOCAL_PORT: String(ports.neon),
          LOCAL_DB_PORT: String(ports.db),
          DEV_SKIP_BUILD: "1",
        });
        try {
          await waitFor(run, "[dev] ready:");
          expect(run.output()).toContain("using DATABASE_URL from .dev.vars");
          expect(run.output()).not.toContain("starting the local database");
          expect(await listening(ports.db)).toBe(false);
          expect(await listening(ports.neon)).toBe(false);

          const before = stack.neon.counters().wsOpened;
          const health = await fetch(`http://127.0.0.1:${ports.worker}/health`);
          expect(await health.json()).toMatchObject({ status: "ok", database: "up", transport: "ws" });
          expect(stack.neon.counters().wsOpened).toBeGreaterThan(before);
        } finally {
          expect(await stopDev(run)).toBe(0);
        }
      } finally {
        rmSync(devVarsPath, { force: true });
        await stack.stop();
      }
    },
    240_000,
  );

  it.skipIf(existsSync(devVarsPath))(
    "refuses .dev.vars.example's placeholder DATABASE_URL in one line, starting nothing",
    async () => {
      try {
        copyFileSync(path.join(ROOT, ".dev.vars.example"), devVarsPath);
        const run = startDev({ PORT: String(await findFreePort()), DEV_SKIP_BUILD: "1" });
        expect(await run.exited).toBe(1);
        const errors = run
          .output()
          .split("\n")
          .filter((l) => l.includes("error"));
        expect(errors).toEqual([expect.stringContaining("placeholder DATABASE_URL")]);
        expect(run.output()).not.toContain("starting wrangler dev");
      } finally {
        rmSync(devVarsPath, { force: true });
      }
    },
    60_000,
  );

  it.skipIf(existsSync(devVarsPath))(
    'says "not ready" and why, not "ready", when /health is not 200',
    async () => {
      const port = await findFreePort();
      try {
        // A database nothing listens on: the Worker starts, /health answers 503.
        writeFileSync(
          devVarsPath,
          `DATABASE_URL="postgresql://u:p@127.0.0.1:${await findFreePort()}/none"\nNEON_LOCAL_PROXY="127.0.0.1:${await findFreePort()}"\nDB_CONNECT_TIMEOUT_MS="1000"\nAPI_TOKEN="t"\n`,
        );
        const run = startDev({ PORT: String(port), DEV_SKIP_BUILD: "1" });
        try {
          await waitFor(run, "[dev] not ready:");
          expect(run.output()).toMatch(/\[dev\] not ready: GET \/health answered 503: /);
          expect(run.output()).not.toContain("[dev] ready:");
        } finally {
          expect(await stopDev(run)).toBe(0);
        }
      } finally {
        rmSync(devVarsPath, { force: true });
      }
    },
    120_000,
  );
});

describe("npm run dev -- --hyperdrive", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = freshDir("dev-hyperdrive-");
  });

  it("serves the same API over a local HYPERDRIVE binding (pg over the local Neon's TCP endpoint)", async () => {
    const { ports, env } = await devRunEnv(dataDir);
    const run = startDev(env, ["--hyperdrive"]);
    try {
      await waitFor(run, "[dev] ready:");
      expect(run.output()).toContain("HYPERDRIVE bound to the local stack");
      const origin = `http://127.0.0.1:${ports.worker}`;
      for (const need of ["statement", "transaction"]) {
        expect(await (await fetch(`${origin}/health?need=${need}`)).json()).toMatchObject({
          database: "up",
          transport: "hyperdrive",
        });
      }
      await expectSmokePasses(origin);
      const stats = (await (await fetch(`http://127.0.0.1:${ports.neon}/_local-neon/stats`)).json()) as Record<
        string,
        number
      >;
      expect(stats).toMatchObject({ wsOpened: 0, httpRequests: 0 });
      expect(stats.tcpOpened).toBeGreaterThan(0);
    } finally {
      expect(await stopDev(run)).toBe(0);
    }
    for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  }, 240_000);

  it.each([
    [["--hyperdirve"], "unknown option --hyperdirve"],
    [["--allow-host"], '--allow-host needs a host name, got ""'],
    [["--allow-host", "http://my-box.lan/"], '--allow-host needs a host name, got "http://my-box.lan/"'],
  ])("refuses %j in one line", async (args, error) => {
    const run = startDev({ DEV_SKIP_BUILD: "1" }, args);
    expect(await run.exited).toBe(2);
    expect(run.output().trim()).toBe(
      `[dev] error: ${error} (usage: npm run dev [-- --hyperdrive] [--allow-host NAME]...)`,
    );
  });
});
