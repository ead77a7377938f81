// `npm run dev`, the main job, run for real: local Postgres, migrations, seed, local Neon and
// wrangler dev, then Ctrl-C. A second run must reuse the data; one started while the first runs
// must refuse without touching it.
import { once } from "node:events";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalStack } from "@starter/local-neon";
import { findFreePort } from "@starter/local-postgres";
import { afterAll, describe, expect, it } from "vitest";
import { seed } from "../../scripts/db/seed-data.js";
import { ROOT, runScript, startDev, stopDev, waitFor } from "./helpers.js";

/** npm run dev's seed step for the project's seed (scripts/db/seed-data.ts), whichever it is. */
const SEEDED = seed ? /seeded the empty database \((.+)\)/ : /not seeding: scripts\/db\/seed-data\.ts exports no seed/;

/** scripts/ci/smoke.ts, the deploy pipeline's smoke test: /health, then a route of /openapi.json with and without the token. */
async function expectSmokePasses(origin: string) {
  const smoke = await runScript("scripts/ci/smoke.ts", [origin], { API_TOKEN: "local-dev-token" });
  expect(smoke.code, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);
  expect(smoke.stderr).toBe("");
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("npm run dev", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "dev-command-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("refuses in one line when another program holds the database's port, instead of moving", async () => {
    const other = createServer().listen(0, "127.0.0.1");
    await once(other, "listening");
    const port = (other.address() as AddressInfo).port;
    try {
      const run = startDev({
        PORT: String(await findFreePort()),
        NEON_LOCAL_PORT: String(await findFreePort()),
        LOCAL_DB_PORT: String(port),
        LOCAL_DATA_DIR: mkdtempSync(path.join(tmpdir(), "dev-port-clash-")),
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
    const ports = { worker: await findFreePort(), neon: await findFreePort(), db: await findFreePort() };
    const env = {
      PORT: String(ports.worker),
      NEON_LOCAL_PORT: String(ports.neon),
      LOCAL_DB_PORT: String(ports.db),
      LOCAL_DATA_DIR: dataDir,
      // `npm test` built already; regenerating src/generated now would race the Worker tests.
      DEV_SKIP_BUILD: "1",
    };

    const first = startDev(env);
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
    expect(second.output()).toContain(
      seed
        ? `not seeding: the database has data (${seeded![1]})`
        : "not seeding: scripts/db/seed-data.ts exports no seed",
    );
    expect(await stopDev(second)).toBe(0);
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
  const dataDir = mkdtempSync(path.join(tmpdir(), "dev-hyperdrive-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the same API over a local HYPERDRIVE binding (pg over the local Neon's TCP endpoint)", async () => {
    const ports = { worker: await findFreePort(), neon: await findFreePort(), db: await findFreePort() };
    const run = startDev(
      {
        PORT: String(ports.worker),
        NEON_LOCAL_PORT: String(ports.neon),
        LOCAL_DB_PORT: String(ports.db),
        LOCAL_DATA_DIR: dataDir,
        DEV_SKIP_BUILD: "1",
      },
      ["--hyperdrive"],
    );
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

  it("refuses an unknown flag in one line", async () => {
    const run = startDev({ DEV_SKIP_BUILD: "1" }, ["--hyperdirve"]);
    expect(await run.exited).toBe(2);
    expect(run.output().trim()).toBe("[dev] error: unknown option --hyperdirve (usage: npm run dev [-- --hyperdrive])");
  });
});
