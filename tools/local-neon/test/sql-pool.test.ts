// /sql reuses authenticated upstream connections, as Neon's proxy does, and nothing one request
// leaves in its session reaches the next one.
import { neon } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import { BACKENDS, eventually, useBackend } from "./backends.js";

describe.each(BACKENDS)("/sql connection reuse over $kind", ({ kind, skip }) => {
  const b = useBackend(kind, skip);
  const test = skip ? it.skip : it;
  const pooled = kind === "postgres";

  test(`20 sequential queries open ${pooled ? "1 upstream connection" : "one each (PGlite: no pooling)"}`, async () => {
    for (let i = 0; i < 20; i++) expect(await b.sql`SELECT ${i}::int AS i`).toEqual([{ i }]);
    // A connection goes back after its reset (DISCARD ALL), which runs once the response is out: a
    // request right behind one may find the pool empty and open a second.
    if (pooled) expect(b.proxy.counters().httpUpstreamOpened).toBeLessThanOrEqual(2);
    else expect(b.proxy.counters().httpUpstreamOpened).toBe(20);
  });

  test("still checks the password on every request", async () => {
    await b.sql`SELECT 1`;
    const wrong = new URL(b.db.url);
    wrong.password = "not-the-password";
    expect(await neon(wrong.href)`SELECT 1`.catch((e: unknown) => e)).toMatchObject({ code: "28P01" });
    expect(await b.sql`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
  });

  (pooled ? test : it.skip)(
    "resets the session between requests: settings, temp tables, advisory locks, prepared plans",
    async () => {
      // Spaced out, so each request finds the previous one's connection back in the pool.
      const settle = () => new Promise((r) => setTimeout(r, 100));
      const pid = async (query: Promise<unknown>) => ((await query) as { pid: number }[])[0]!.pid;
      const first = await pid(b.sql`SELECT pg_backend_pid() AS pid, set_config('app.tenant', 'a', false)`);
      await settle();
      await b.sql`CREATE TEMP TABLE pooled_leak (x int)`;
      await settle();
      await b.sql`SELECT pg_advisory_lock(4242)`;
      await settle();
      const rows = (await b.sql`SELECT pg_backend_pid() AS pid, current_setting('app.tenant', true) AS tenant,
      to_regclass('pg_temp.pooled_leak') AS temp_table,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242) AS locks`) as Record<
        string,
        unknown
      >[];
      expect(rows[0]!.pid).toBe(first); // the same session all along…
      // …and none of it survived (a reset custom setting reads as "" on a session that had it).
      expect(rows[0]).toEqual({ pid: first, tenant: expect.toBeOneOf(["", null]), temp_table: null, locks: 0 });
    },
  );

  (pooled ? test : it.skip)("is bounded: 40 concurrent queries leave at most 4 idle connections", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => b.sql`SELECT pg_sleep(0.05), ${i}::int`));
    // The ones beyond the bound are closed (their backends exit a moment later).
    const backends = async () =>
      (
        await b.direct.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'local-neon-http'",
        )
      ).rows[0].n as number;
    await eventually(async () => (await backends()) <= 4);
    expect(await backends()).toBeLessThanOrEqual(4);
  });
});
