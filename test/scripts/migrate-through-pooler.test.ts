// Why `npm run db:migrate` refuses a pooled URL, shown on the real thing: the local stack's
// PgBouncer (1.18, transaction mode, as Neon's -pooler endpoint), against its direct Postgres.
import { startLocalStack } from "@starter/local-neon";
import { findPgbouncer, findPostgresBinDir } from "@starter/local-postgres";
import { migrateDeploy } from "@starter/prisma-offline";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, nonEmptyLines, runScript, uniqueName } from "./helpers.js";

/** PgBouncer goes in front of a real Postgres only. CI always has both (.ci/run), so never skips. */
const pooled = Boolean(findPgbouncer() && findPostgresBinDir()) || Boolean(process.env.CI);

/** The advisory lock Prisma Migrate holds while it migrates, so that two runs never overlap. */
const MIGRATE_LOCK = 72_707_369;

let stack: Awaited<ReturnType<typeof startLocalStack>>;
beforeAll(async () => {
  stack = await startLocalStack({ migrate: false });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const migrateLocksHeld = () =>
  withClient(stack.directUrl, async (c) => {
    const { rows } = await c.query(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted",
      [MIGRATE_LOCK],
    );
    return rows[0].n as number;
  });

describe("db:migrate and the pooled endpoint", () => {
  it("refuses the local stack's pooled string, as it refuses Neon's", async () => {
    const r = await runScript("scripts/db/migrate.ts", [], { DIRECT_URL: stack.pooledUrl });
    expect(r.code).not.toBe(0);
    const lines = nonEmptyLines(r.stderr);
    expect(lines).toEqual([expect.stringMatching(/ep-local-pooler\.neon\.localhost is a -pooler endpoint/)]);
  });

  describe.skipIf(!pooled)("what the refusal protects against, through PgBouncer", () => {
    it("is a real PgBouncer", () => {
      expect(stack.pooler).toBe("pgbouncer");
    });

    it("Migrate's lock does not hold: the session it was taken on is reset when the transaction ends", async () => {
      await withClient(stack.directUrl, async (direct) => {
        await direct.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
        expect(await migrateLocksHeld()).toBe(1);
      });
      await withClient(stack.poolerUrl!, async (pooled) => {
        await pooled.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
        // Still connected, still "holding" it: yet no session has it, so a second run would not wait.
        expect(await migrateLocksHeld()).toBe(0);
      });
    });

    it('named prepared statements (the native engine\'s "s0", seed 003) fail on their second use', async () => {
      const twice = (client: pg.Client) =>
        (async () => {
          await client.query({ name: "s0", text: "SELECT 1 AS one" });
          return client.query({ name: "s0", text: "SELECT 1 AS one" });
        })();
      await withClient(stack.directUrl, async (direct) => {
        expect((await twice(direct)).rows).toEqual([{ one: 1 }]);
      });
      await withClient(stack.poolerUrl!, async (pooled) => {
        // PgBouncer 1.18 keeps no prepared statements across transactions. With the reset the local
        // pooler runs, the statement is gone ("does not exist", 26000); without one, another client's
        // "s0" is there ("already exists", 42P05, the error seed 003 quotes).
        await expect(twice(pooled)).rejects.toMatchObject({
          code: "26000",
          message: 'prepared statement "s0" does not exist',
        });
      });
    });

    it("the offline engine itself gets through (unnamed statements), without the lock's protection", async () => {
      const name = uniqueName("through_pooler");
      await createDatabase(stack.directUrl, name);
      const url = new URL(stack.poolerUrl!);
      url.pathname = `/${name}`;
      const { applied } = await migrateDeploy(url.toString());
      expect(applied.length).toBeGreaterThan(0);
    });
  });
});
