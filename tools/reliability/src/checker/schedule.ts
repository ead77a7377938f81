// The checker's workload: a seeded, reproducible list of operations on the demo's write routes,
// with faults between them. The same seed gives the same list (the interleaving at run time is the
// machine's, as in Jepsen); a failing seed replays with `--seed N`.

/** mulberry32: a tiny seeded PRNG, enough to make a schedule reproducible. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the local Neon (or the checker, straight to Postgres) does to the database between operations. */
export type Fault =
  | { kind: "latency"; ms: number }
  | { kind: "cutAfterCommit"; on: boolean }
  | { kind: "killBackends" }
  | { kind: "restartPooler" }
  | { kind: "calm" };

/** Indices into the pools of users and posts made before the run. */
export type Op =
  | { kind: "createPost"; author: number; key?: string; title: string }
  | { kind: "movePost"; post: number; to: number; key?: string }
  | { kind: "deletePost"; post: number }
  | { kind: "patchPost"; post: number; status: "DRAFT" | "PUBLISHED" }
  | { kind: "createUser"; key?: string; email: string }
  | { kind: "deleteUser"; user: number }
  | { kind: "fault"; fault: Fault };

export interface Schedule {
  seed: number;
  users: number;
  posts: number;
  ops: Op[];
}

/**
 * `count` operations over `users` users and `posts` posts (pools that grow with `count`, so a long
 * run does not delete its way to nothing but 404s): every write route, keyed and unkeyed;
 * crossing moves (two posts swapped between two authors at once); deletes racing moves of the same
 * post; the same key sent twice at once; and a fault every ~40 operations.
 */
export function makeSchedule(
  seed: number,
  count: number,
  users = 16 + Math.floor(count / 250),
  posts = 32 + Math.floor(count / 20),
): Schedule {
  const rand = random(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const keyed = () => (rand() < 0.6 ? `chk-${seed}-${ops.length}` : undefined);
  const ops: Op[] = [];
  while (ops.length < count) {
    const r = rand();
    if (ops.length > 0 && ops.length % 40 === 0) ops.push({ kind: "fault", fault: nextFault(rand) });
    else if (r < 0.22) {
      const key = keyed();
      const op: Op = { kind: "createPost", author: pick(users), key, title: `chk ${key ?? `${seed}-${ops.length}`}` };
      ops.push(op);
      if (key && rand() < 0.3) ops.push({ ...op }); // the same key twice, concurrently
    } else if (r < 0.5) {
      const key = keyed();
      const op: Op = { kind: "movePost", post: pick(posts), to: pick(users), key };
      ops.push(op);
      if (key && rand() < 0.2) ops.push({ ...op });
    } else if (r < 0.6) {
      // Crossing: P1 to B's author and P2 to A's, side by side.
      const [p1, p2] = [pick(posts), pick(posts)];
      const [a, b] = [pick(users), pick(users)];
      ops.push(
        { kind: "movePost", post: p1, to: a, key: keyed() },
        { kind: "movePost", post: p2, to: b, key: keyed() },
      );
    } else if (r < 0.65) {
      // A delete racing a move of the same post.
      const post = pick(posts);
      ops.push({ kind: "movePost", post, to: pick(users), key: keyed() }, { kind: "deletePost", post });
    } else if (r < 0.78)
      ops.push({ kind: "patchPost", post: pick(posts), status: rand() < 0.5 ? "DRAFT" : "PUBLISHED" });
    else if (r < 0.99) {
      const key = keyed();
      ops.push({ kind: "createUser", key, email: `chk-${seed}-${ops.length}@example.test` });
      // Users of the upper half only: the lower half stays, so writes keep finding authors.
    } else ops.push({ kind: "deleteUser", user: users - 1 - pick(Math.ceil(users / 2)) });
  }
  return { seed, users, posts, ops: ops.slice(0, count) };
}

function nextFault(rand: () => number): Fault {
  const r = rand();
  if (r < 0.35) return { kind: "latency", ms: 5 + Math.floor(rand() * 30) };
  if (r < 0.6) return { kind: "cutAfterCommit", on: true };
  if (r < 0.75) return { kind: "killBackends" };
  if (r < 0.9) return { kind: "restartPooler" };
  return { kind: "calm" };
}
