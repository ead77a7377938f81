// The demo's writes under real concurrent requests against real Postgres (through PgBouncer, or
// Hyperdrive's path): what every forker copies has to hold when two requests run at once. Each case
// fires its requests together and then checks the invariants in the database itself.
import { describe, expect, it } from "vitest";
import { auth, call, problemOf, withDb } from "../helpers";
import { createPost, createUser } from "./helpers";

/** Each listed user's postCount against the posts that name them, from Postgres. */
async function countsDrift(userIds: string[]): Promise<Array<{ id: string; postCount: number; posts: number }>> {
  return withDb(async (db) => {
    const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, postCount: true } });
    const drift = [];
    for (const u of users) {
      const posts = await db.post.count({ where: { authorId: u.id } });
      if (posts !== u.postCount) drift.push({ id: u.id, postCount: u.postCount, posts });
    }
    return drift;
  });
}

const move = (postId: string, authorId: string, headers: Record<string, string> = {}) =>
  call(`/posts/${postId}/move`, { method: "POST", headers: { ...auth, ...headers }, json: { authorId } });

/** Statuses a write may answer under contention: done, or refused with what to do next. */
async function expectNoServerError(responses: Response[]): Promise<void> {
  for (const res of responses) {
    if (res.status >= 500 || (res.status === 409 && res.headers.get("Retry-After") === null)) {
      const body = await res.clone().text();
      if (!(res.status === 409 && /already belongs|no-op-move/.test(body))) {
        throw new Error(`unexpected ${res.status}: ${body}`);
      }
    }
    if (res.status === 503) expect(res.headers.get("Retry-After")).not.toBeNull();
  }
}

describe("concurrent moves keep every postCount equal to the posts it counts", () => {
  it("one post moved to eight authors at once: it ends with one of them, and no counter drifts", async () => {
    const from = await createUser();
    const targets = await Promise.all(Array.from({ length: 8 }, () => createUser()));
    const post = await createPost(from.id);
    const responses = await Promise.all(targets.map((t) => move(post.id, t.id)));
    await expectNoServerError(responses);
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(await countsDrift([from.id, ...targets.map((t) => t.id)])).toEqual([]);
    const owner = (await (await call(`/posts/${post.id}`)).json()) as { authorId: string };
    const finalCounts = await withDb((db) =>
      db.user.findMany({ where: { id: { in: [from.id, ...targets.map((t) => t.id)] } }, select: { postCount: true } }),
    );
    expect(finalCounts.reduce((sum, u) => sum + u.postCount, 0)).toBe(1);
    expect(targets.map((t) => t.id)).toContain(owner.authorId);
  });

  it("crossing moves (P1 A→B while P2 B→A), ten rounds: never a 500, counters exact", async () => {
    const [a, b] = [await createUser(), await createUser()];
    const p1 = await createPost(a.id);
    const p2 = await createPost(b.id);
    for (let round = 0; round < 10; round++) {
      const [x, y] = round % 2 === 0 ? [b, a] : [a, b];
      const responses = await Promise.all([move(p1.id, x.id), move(p2.id, y.id)]);
      await expectNoServerError(responses);
      for (const res of responses) expect([200, 409]).toContain(res.status);
    }
    expect(await countsDrift([a.id, b.id])).toEqual([]);
  });

  it("a delete racing moves of the same post: the post ends deleted or moved, counters exact", async () => {
    const from = await createUser();
    const targets = await Promise.all(Array.from({ length: 3 }, () => createUser()));
    const post = await createPost(from.id);
    await createPost(from.id); // one that stays: its count must still be there at the end
    const responses = await Promise.all([
      ...targets.map((t) => move(post.id, t.id)),
      call(`/posts/${post.id}`, { method: "DELETE", headers: auth }),
    ]);
    await expectNoServerError(responses);
    for (const res of responses.slice(0, -1)) expect([200, 404, 409]).toContain(res.status);
    expect(responses.at(-1)!.status).toBe(204);
    expect(await countsDrift([from.id, ...targets.map((t) => t.id)])).toEqual([]);
  });
});

describe("concurrent retries of one Idempotency-Key", () => {
  it("both answer the same post, and its Location names that post; one post was written", async () => {
    const author = await createUser();
    const key = `concurrent-${crypto.randomUUID()}`;
    for (let round = 0; round < 5; round++) {
      const roundKey = `${key}-${round}`;
      const responses = await Promise.all(
        [0, 1].map(() =>
          call("/posts", {
            method: "POST",
            headers: { ...auth, "Idempotency-Key": roundKey },
            json: { title: "Once", authorId: author.id },
          }),
        ),
      );
      const ok = responses.filter((r) => r.status === 201);
      for (const res of responses) if (res.status !== 201) expect((await problemOf(res)).type).toMatch(/in-progress/);
      const bodies = await Promise.all(ok.map((r) => r.clone().json() as Promise<{ id: string }>));
      for (const [i, res] of ok.entries()) {
        expect(res.headers.get("Location")).toBe(`/posts/${bodies[i]!.id}`);
        expect((await call(res.headers.get("Location")!)).status).toBe(200);
      }
      expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
      // A replay's headers are the first answer's, but for the request's own id and the marker.
      const own = new Set(["x-request-id", "idempotency-replayed"]);
      const headersOf = (r: Response) => [...r.headers].filter(([name]) => !own.has(name));
      if (ok.length === 2) expect(headersOf(ok[1]!)).toEqual(headersOf(ok[0]!));
    }
    const counts = await withDb((db) => db.post.count({ where: { authorId: author.id } }));
    expect(counts).toBe(5);
    expect(await countsDrift([author.id])).toEqual([]);
  });
});
