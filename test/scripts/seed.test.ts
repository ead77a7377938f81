// scripts/db/seed.ts, the runner under `npm run db:seed` and `npm run dev`, on a Seed of its own
// (a table the test makes), so it holds whatever scripts/db/seed-data.ts seeds, or none.
// The demo's rows: test/scripts/demo/seed-data.test.ts.

import { findFreePort, type LocalPostgres, startLocalPostgres } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Seed, seedDatabase } from "../../scripts/db/seed.js";
import { seed as projectSeed } from "../../scripts/db/seed-data.js";
import { createMigratedDatabase, query, runScript } from "./helpers.js";

let pgServer: LocalPostgres;
let url: string;

const ROWS = ["alpha", "beta", "gamma"];
const count = async () => (await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM seed_probe"))[0]!.n;

/** Adds the missing rows, one statement each, so a failure after the first shows a partial write. */
function probeSeed(failAfter?: number): Seed {
  return {
    isEmpty: async (prisma) =>
      (await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM seed_probe`)[0]!.n === 0,
    async run(tx) {
      for (const [i, name] of ROWS.entries()) {
        if (i === failAfter) throw new Error("the seed broke halfway");
        await tx.$executeRaw`INSERT INTO seed_probe (name) VALUES (${name}) ON CONFLICT DO NOTHING`;
      }
    },
    summary: async (prisma) =>
      `${(await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM seed_probe`)[0]!.n} rows`,
  };
}

beforeAll(async () => {
  pgServer = await startLocalPostgres({ kind: "postgres" });
  url = await createMigratedDatabase(pgServer.url, "seed");
  await query(
    url,
    "CREATE TABLE seed_probe (name text PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())",
  );
});

afterAll(async () => {
  await pgServer?.stop();
});

describe("the seed runner", () => {
  it("writes nothing when the seed fails partway: it runs in one transaction", async () => {
    await expect(seedDatabase(url, { seed: probeSeed(2), log: () => {} })).rejects.toThrow("the seed broke halfway");
    expect(await count()).toBe(0);
  });

  it("seeds, says what the database holds, and a second run changes nothing", async () => {
    const lines: string[] = [];
    expect(await seedDatabase(url, { seed: probeSeed(), log: (l) => lines.push(l) })).toEqual({
      seeded: true,
      summary: "3 rows",
    });
    expect(lines).toEqual([expect.stringMatching(/^seeded postgres(ql)?:\/\/[^:]+:\*\*\*@.+: 3 rows in total$/)]);
    const before = await query(url, "SELECT * FROM seed_probe ORDER BY name");
    await seedDatabase(url, { seed: probeSeed(), log: () => {} });
    expect(await query(url, "SELECT * FROM seed_probe ORDER BY name")).toEqual(before);
  });

  it("onlyIfEmpty (what npm run dev asks) leaves a database with rows untouched and says so", async () => {
    const lines: string[] = [];
    const r = await seedDatabase(url, { seed: probeSeed(), onlyIfEmpty: true, log: (l) => lines.push(l) });
    expect(r).toEqual({ seeded: false, summary: "the database has data (3 rows)" });
    expect(lines).toEqual(["not seeding: the database has data (3 rows)"]);
  });

  it("with no seed (`export const seed = null;`), one line and no write", async () => {
    const lines: string[] = [];
    const r = await seedDatabase(url, { seed: null, log: (l) => lines.push(l) });
    expect(r).toEqual({ seeded: false, summary: "scripts/db/seed-data.ts exports no seed" });
    expect(lines).toEqual(["nothing to seed: scripts/db/seed-data.ts exports no seed"]);
    expect(await count()).toBe(3);
  });

  it("`npm run db:seed` runs the project's seed on DIRECT_URL: exit 0, nothing on stderr, and again", async () => {
    for (const round of [1, 2]) {
      const run = await runScript("scripts/db/seed.ts", [], { DIRECT_URL: url });
      expect({ round, code: run.code, stderr: run.stderr }).toEqual({ round, code: 0, stderr: "" });
      expect(run.stdout).toMatch(/^\[db:seed\] (seeded|nothing to seed)/);
    }
  });

  // With no seed there is nothing to do, and no database is needed.
  it(`a database it cannot reach: ${projectSeed ? "one plain line on stderr and exit 1" : "nothing to seed, exit 0"}`, async () => {
    const dead = new URL(url);
    dead.port = String(await findFreePort());
    const run = await runScript("scripts/db/seed.ts", [], { DIRECT_URL: dead.href });
    if (!projectSeed) {
      expect({ code: run.code, stdout: run.stdout.trim() }).toEqual({
        code: 0,
        stdout: "[db:seed] nothing to seed: scripts/db/seed-data.ts exports no seed",
      });
      return;
    }
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^db:seed: /)]);
    expect(run.stderr).not.toContain(`:${new URL(url).password}@`);
  });
});
