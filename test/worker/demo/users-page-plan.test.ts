// GET /users reads its page in (created_at, id) index order: the statement the Worker sends, as
// Postgres plans it (EXPLAIN on the real database), not a scan and sort of the whole table.
import { describe, expect, it, vi } from "vitest";
import { callWith, withDb } from "../helpers";
import { createUser } from "./helpers";

interface Statement {
  query: string;
  params: unknown[];
}

/**
 * GET `path` over Neon's HTTP path (each statement one fetch to the local Neon's /sql, whose body is
 * the statement), and the statements it sent.
 */
async function statementsOf(path: string): Promise<Statement[]> {
  const sent: Statement[] = [];
  const fetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith("/sql") && typeof init?.body === "string") sent.push(JSON.parse(init.body) as Statement);
    return fetch(input, init);
  });
  try {
    const res = await callWith({ HYPERDRIVE: undefined }, path);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

/** The plan of the one statement that reads users. */
async function planOf(statements: Statement[]): Promise<string> {
  const [page] = statements.filter((s) => /FROM "public"\."users"/.test(s.query));
  expect(page, JSON.stringify(statements)).toBeDefined();
  return withDb((db) =>
    db.$transaction(async (tx) => {
      // The test database holds few users, and on so few a scan and sort is cheaper: without scans the
      // planner shows whether an index serves the query at all, in its order.
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      const rows = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${page!.query}`, ...page!.params);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    }),
  );
}

describe("GET /users pages through the (created_at, id) index", () => {
  it("the first page and a later one read the index in order, the later one from its cursor on", async () => {
    for (let i = 0; i < 3; i++) await createUser();

    const first = await planOf(await statementsOf("/users?limit=2"));
    expect(first).toMatch(/Index (Only )?Scan using users_created_at_id_idx on users/);
    expect(first).not.toMatch(/Sort/);

    const res = await callWith({}, "/users?limit=2");
    const { nextCursor } = (await res.json()) as { nextCursor: string };
    const later = await planOf(await statementsOf(`/users?limit=2&cursor=${nextCursor}`));
    expect(later).toMatch(/Index (Only )?Scan using users_created_at_id_idx on users/);
    expect(later).not.toMatch(/Sort/);
    // The scan starts at the cursor rather than filtering every newer row on its way there.
    expect(later).toMatch(/Index Cond: \(created_at <= /);
  });
});
