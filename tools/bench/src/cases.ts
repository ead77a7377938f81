// The endpoints the bench measures, on each of the three paths, each with its raw-driver twin (and
// for the single-statement reads a drizzle-orm twin) and the fewest flights it can cost. A flight
// = one Worker→database round trip: a Postgres round trip, or a WebSocket upgrade. Over Hyperdrive,
// connection setup stays in Cloudflare's data centre: only query flights count.
import { BENCH_AUTH } from "./stack";

export type Variant = "prisma" | "raw" | "drizzle";
/** http: Neon over HTTP; ws: Neon over WebSocket; hyperdrive: pg over the HYPERDRIVE binding. */
export type Transport = "http" | "ws" | "hyperdrive";
export const TRANSPORTS: Transport[] = ["http", "ws", "hyperdrive"];

export interface RequestSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** A function when each request needs its own row (deletes). */
  path: string | (() => string);
  headers?: Record<string, string>;
  /** A fresh body per request (writes must not collide on unique columns). */
  body?: () => string;
  /** Send a fresh Idempotency-Key with each request. */
  freshKey?: boolean;
}

export interface BenchCase {
  name: string;
  transport: Transport;
  prisma: RequestSpec;
  raw: RequestSpec;
  drizzle?: RequestSpec;
  /** The minimum flights, and why. */
  minFlights: number;
  minWhy: string;
  /** Also measured for throughput, and cold without the warm-up and waiting for startup. */
  featured: boolean;
}

/** Rows the requests work on, made before the run (tools/bench/src/fixtures.ts). */
export interface Fixtures {
  /** An author with posts, and a post of theirs (read and patched). */
  userId: string;
  postId: string;
  /** A post per variant that moves between two authors: its id and its author now. */
  movable: Record<"prisma" | "raw", { id: string; owner: string; other: string }>;
  /** A new unused user / post per call (deletes consume them). */
  takeUser(): string;
  takePost(): string;
}

let seq = 0;
const email = () => `bench-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}@example.test`;
// Every route but /health needs the token (closed by default), the bench's twins included: both
// sides of a comparison pay the same check. (/health is public; its twins are not, so there the
// baselines pay the token check, tens of microseconds, and Prisma does not.)
const json = { "Content-Type": "application/json", ...BENCH_AUTH };

/** An app route and its twins' paths (each twin's path is under /__bench/{raw|drizzle}/{wire}). */
interface Endpoint {
  name: string;
  /** Statements Prisma sends (the raw twin sends the same): a transaction counts BEGIN and COMMIT. */
  statements: number;
  /** Needs an interactive transaction: WebSocket or Hyperdrive, never Neon's HTTP. */
  transaction?: boolean;
  why?: string;
  featured?: boolean;
  drizzle?: boolean;
  /** The request, given the path it goes to (the app's, or a twin's `/__bench/{kind}/{wire}…`). */
  request(f: Fixtures, variant: Variant, prefix: string): RequestSpec;
}

const get = (path: string): RequestSpec => ({ method: "GET", path, headers: BENCH_AUTH });

/** PATCH /{table}/{id}: a new value of one text field each time. */
function patchOne(table: string, field: string, id: (f: Fixtures) => string): Endpoint {
  return {
    name: `PATCH /${table}/{id}`,
    statements: 1,
    request: (f, _v, p) => ({
      method: "PATCH",
      path: `${p}/${table}/${id(f)}`,
      headers: json,
      body: () => JSON.stringify({ [field]: `${field} ${seq++}` }),
    }),
  };
}

const ENDPOINTS: Endpoint[] = [
  {
    name: "GET /health",
    statements: 1,
    request: (_f, v, p) => get(v === "prisma" ? "/health?need=statement" : `${p}/health`),
  },
  {
    name: "GET /users/{id}",
    statements: 1,
    featured: true,
    drizzle: true,
    request: (f, _v, p) => get(`${p}/users/${f.userId}`),
  },
  {
    name: "GET /users",
    statements: 1,
    drizzle: true,
    request: (_f, _v, p) => get(`${p}/users?limit=20`),
  },
  {
    name: "POST /users",
    statements: 1,
    request: (_f, _v, p) => ({
      method: "POST",
      path: `${p}/users`,
      headers: json,
      body: () => JSON.stringify({ email: email() }),
    }),
  },
  patchOne("users", "name", (f) => f.userId),
  {
    name: "DELETE /users/{id}",
    statements: 1,
    request: (f, _v, p) => ({ method: "DELETE", path: () => `${p}/users/${f.takeUser()}`, headers: BENCH_AUTH }),
  },
  { name: "GET /posts", statements: 1, request: (_f, _v, p) => get(`${p}/posts?limit=20`) },
  { name: "GET /posts/{id}", statements: 1, request: (f, _v, p) => get(`${p}/posts/${f.postId}`) },
  {
    name: "POST /posts",
    statements: 1,
    featured: true,
    why: "INSERT post; a trigger updates the author in it",
    request: (f, _v, p) => ({
      method: "POST",
      path: `${p}/posts`,
      headers: json,
      body: () => JSON.stringify({ title: "bench", authorId: f.userId }),
    }),
  },
  patchOne("posts", "title", (f) => f.postId),
  {
    name: "DELETE /posts/{id}",
    statements: 1,
    why: "DELETE post; a trigger updates the author in it",
    request: (f, _v, p) => ({ method: "DELETE", path: () => `${p}/posts/${f.takePost()}`, headers: BENCH_AUTH }),
  },
  {
    name: "POST /posts/{id}/move",
    statements: 4,
    transaction: true,
    why: "BEGIN, lock and read the post, reassign it (a trigger: both counters), COMMIT",
    request: (f, v, p) => {
      const post = f.movable[v === "prisma" ? "prisma" : "raw"];
      // To the other author each time, so every move moves (each request succeeds or the bench stops).
      const body = () => {
        [post.owner, post.other] = [post.other, post.owner];
        return JSON.stringify({ authorId: post.owner });
      };
      return { method: "POST", path: `${p}/posts/${post.id}/move`, headers: json, body };
    },
  },
  {
    name: "POST /posts + Idempotency-Key",
    statements: 6,
    transaction: true,
    why: "BEGIN, bound it, look the key up, the write, record the key, COMMIT",
    request: (f, v, p) => ({
      method: "POST",
      path: v === "prisma" ? "/posts" : `${p}/posts/keyed`,
      headers: json,
      body: () => JSON.stringify({ title: "bench", authorId: f.userId }),
      freshKey: true,
    }),
  },
];

const WIRE: Record<Transport, string> = { http: "http", ws: "ws", hyperdrive: "pg" };

function minimum(e: Endpoint, t: Transport): { flights: number; why: string } {
  const n = e.statements;
  const s = `${n} statement${n > 1 ? "s" : ""}${e.why ? ` (${e.why})` : ""}`;
  if (t === "http")
    return { flights: n, why: `${s}, one /sql request each (Neon authenticates the connection string inside it)` };
  if (t === "ws") return { flights: 1 + n, why: `upgrade + ${s}, startup and password pipelined with the first` };
  return { flights: n, why: `${s}; startup and password stay in Cloudflare's data centre` };
}

export function benchCases(f: Fixtures): BenchCase[] {
  return TRANSPORTS.flatMap((transport) =>
    ENDPOINTS.filter((e) => !(e.transaction && transport === "http")).map((e): BenchCase => {
      const wire = WIRE[transport];
      const min = minimum(e, transport);
      return {
        name: e.name,
        transport,
        prisma: e.request(f, "prisma", ""),
        raw: e.request(f, "raw", `/__bench/raw/${wire}`),
        drizzle: e.drizzle ? e.request(f, "drizzle", `/__bench/drizzle/${wire}`) : undefined,
        minFlights: min.flights,
        minWhy: min.why,
        featured: Boolean(e.featured),
      };
    }),
  );
}

/** The request to send now: a path, headers and body of its own. */
export function materialize(spec: RequestSpec): { path: string; headers: Record<string, string>; body?: string } {
  return {
    path: typeof spec.path === "function" ? spec.path() : spec.path,
    headers: { ...spec.headers, ...(spec.freshKey ? { "Idempotency-Key": crypto.randomUUID() } : {}) },
    body: spec.body?.(),
  };
}
