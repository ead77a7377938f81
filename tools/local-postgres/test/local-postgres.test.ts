// The database under the local Neon: each kind starts, takes the documented credentials, keeps its
// data in a data dir across restarts, refuses a port another program holds, and stops a server a
// killed run of its data dir left running instead of calling that port "another program's".

import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort, findPostgresBinDir, locatePostgresBinDir, query, startLocalPostgres } from "../src/index.js";

const INDEX = path.join(import.meta.dirname, "../src/index.ts");
const dirs: string[] = [];
/** A fresh directory; mkdtemp makes it 0700, so `mode` says who else may enter it. */
const tempDir = (mode = 0o755) => {
  const dir = mkdtempSync(path.join(tmpdir(), "local-postgres-test-"));
  chmodSync(dir, mode);
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const KINDS = [
  { kind: "postgres" as const, skip: !findPostgresBinDir(), user: "neon", database: "neondb" },
  { kind: "pglite" as const, skip: false, user: "postgres", database: "postgres" },
];

describe.each(KINDS)("startLocalPostgres({ kind: $kind })", ({ kind, skip, user, database }) => {
  it.skipIf(skip)(
    "keeps its data in a data root across restarts, with the documented login",
    async () => {
      const dataRoot = tempDir();
      const first = await startLocalPostgres({ kind, dataRoot });
      try {
        expect(first.kind).toBe(kind);
        const url = new URL(first.url);
        expect([url.username, url.pathname.slice(1)]).toEqual([user, database]);
        await query(first.url, "CREATE TABLE kept (n int)");
        await query(first.url, "INSERT INTO kept VALUES (42)");
      } finally {
        await first.stop();
      }
      const second = await startLocalPostgres({ kind, dataRoot });
      try {
        expect(await query<{ n: number }>(second.url, "SELECT n FROM kept")).toEqual([{ n: 42 }]);
      } finally {
        await second.stop();
      }
    },
    60_000,
  );

  it.skipIf(skip)(
    "while it runs, another process finds its URL in the claim (what npm run prisma uses), and not after",
    async () => {
      const dataRoot = tempDir();
      // Another process's view, as `npm run prisma` has it (a claim of this process is not "another").
      const seen = () =>
        execFileSync(
          process.execPath,
          [
            "--import",
            "tsx",
            "-e",
            `import { runningDatabaseUrl } from ${JSON.stringify(INDEX)}; process.stdout.write(runningDatabaseUrl(${JSON.stringify(dataRoot)}) ?? "none")`,
          ],
          { encoding: "utf8" },
        );
      const db = await startLocalPostgres({ kind, dataRoot });
      try {
        expect(seen()).toBe(db.url);
      } finally {
        await db.stop();
      }
      expect(seen()).toBe("none");
    },
    60_000,
  );

  it.skipIf(skip)(
    "refuses a port another program holds, in one line, instead of moving to another one",
    async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      const takenPort = (taken.address() as { port: number }).port;
      const dataRoot = tempDir();
      try {
        await expect(startLocalPostgres({ kind, dataRoot, port: takenPort })).rejects.toThrow(
          `port ${takenPort} on 127.0.0.1 is already in use by another program (not this starter's database)`,
        );
        // Nothing initialised, nothing left claimed: the next start on a free port takes the data dir.
        expect(readdirSync(dataRoot, { recursive: true })).not.toContainEqual(
          expect.stringMatching(/data|owner|PG_VERSION/),
        );
      } finally {
        taken.close();
      }
    },
    60_000,
  );
});

describe.skipIf(!findPostgresBinDir())("a PostgreSQL left running by a process killed with -9", () => {
  it("is stopped and started again by its data dir's next start; another program's port is still refused", async () => {
    const dataRoot = tempDir();
    const port = await findFreePort();
    const postmasterPid = path.join(dataRoot, "postgres/data/postmaster.pid");
    // A process that starts it and dies without cleaning up: its server runs on, holding the port.
    const killed = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import { startLocalPostgres } from ${JSON.stringify(INDEX)};
         startLocalPostgres({ kind: "postgres", dataRoot: ${JSON.stringify(dataRoot)}, port: ${port} })
           .then((db) => { console.log(db.url); setInterval(() => {}, 60_000); });`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await once(killed.stdout!, "data");
      killed.kill("SIGKILL");
      await once(killed, "exit");

      const lines: string[] = [];
      const db = await startLocalPostgres({ kind: "postgres", dataRoot, port, log: (line) => lines.push(line) });
      try {
        expect(lines).toContainEqual(
          expect.stringMatching(/^stopping the PostgreSQL a previous run left running \(pid \d+, port \d+\)$/),
        );
        expect(await query(db.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await db.stop();
      }

      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
      try {
        await expect(startLocalPostgres({ kind: "postgres", dataRoot, port })).rejects.toThrow(
          `port ${port} on 127.0.0.1 is already in use by another program (not this starter's database)`,
        );
      } finally {
        taken.close();
      }
    } finally {
      // Without the fix, the killed process's server would outlive the test.
      if (existsSync(postmasterPid))
        process.kill(Number(readFileSync(postmasterPid, "utf8").split("\n")[0]), "SIGQUIT");
    }
  }, 60_000);
});

describe("startLocalPostgres({ externalUrl })", () => {
  it("starts nothing and refuses a URL that is not postgres://", async () => {
    const db = await startLocalPostgres({ externalUrl: "postgres://u:p@127.0.0.1:1/db" });
    expect(db).toMatchObject({ kind: "external", url: "postgres://u:p@127.0.0.1:1/db" });
    await expect(startLocalPostgres({ externalUrl: "mysql://u:p@127.0.0.1/db" })).rejects.toThrow(/postgres:\/\//);
  });
});

describe("a PostgreSQL data dir the postgres user cannot reach", () => {
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  it.skipIf(!asRoot || !findPostgresBinDir())("is refused in one line that says what to do", async () => {
    // As root the cluster runs as the postgres user; a 0700 parent (like /root) locks it out.
    const dataRoot = tempDir(0o700);
    await expect(startLocalPostgres({ kind: "postgres", dataRoot })).rejects.toThrow(
      /postgres user, which cannot enter .*local-postgres-test-.* set LOCAL_DATA_DIR .* or LOCAL_DB=pglite$/,
    );
  });
});

describe("finding PostgreSQL's server binaries", () => {
  /** A directory with an initdb and a pg_ctl (empty files: only their presence is looked at). */
  const fakeBin = () => {
    const dir = tempDir();
    for (const name of ["initdb", "pg_ctl"]) writeFileSync(path.join(dir, name), "");
    return dir;
  };

  it("POSTGRES_BIN_DIR wins, and says so", () => {
    const dir = fakeBin();
    expect(locatePostgresBinDir({ POSTGRES_BIN_DIR: dir, PATH: "" })).toEqual({ dir, via: "POSTGRES_BIN_DIR" });
  });

  it("a POSTGRES_BIN_DIR without the server binaries is an error naming it", () => {
    const dir = tempDir();
    expect(() => locatePostgresBinDir({ POSTGRES_BIN_DIR: dir })).toThrow(
      `POSTGRES_BIN_DIR=${dir} has no initdb and pg_ctl`,
    );
  });

  it("finds one on PATH where no packaged location has one", () => {
    const dir = fakeBin();
    const found = locatePostgresBinDir({ PATH: [tempDir(), dir].join(path.delimiter) });
    // On a machine with Debian's (or another packaged) server, that one comes first.
    if (found?.via === "PATH") expect(found.dir).toBe(dir);
    else expect(found?.via).toMatch(/Debian|PGDG|Homebrew|Postgres.app/);
  });
});
