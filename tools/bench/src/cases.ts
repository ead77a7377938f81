// The endpoints the bench measures, each with its raw-driver twin and the fewest flights it can
// cost. A flight = one Worker→database round trip: a Postgres round trip, or a WebSocket upgrade.
// Over Hyperdrive, connection setup stays in Cloudflare's data centre: only query flights count.
import { BENCH_AUTH } from "./stack";

export type Variant = "prisma" | "raw";

export interface RequestSpec {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** A fresh body per request (writes must not collide on unique columns). */
  body?: () => string;
}

export interface BenchCase {
  name: string;
  /** "hyperdrive" cases run on a bench Worker with the HYPERDRIVE binding (every app route takes it). */
  transport: "http" | "ws" | "hyperdrive";
  prisma: RequestSpec;
  raw: RequestSpec;
  /** The minimum flights, and why. */
  minFlights: number;
  minWhy: string;
  /** Also measured from a fresh isolate. */
  cold: boolean;
}

export interface Fixtures {
  userId: string;
}

let seq = 0;
const email = () => `bench-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}@example.test`;
// Every route but /health needs the token (closed by default), the bench's raw twins included:
// both sides of a comparison pay the same check. (/health is public; its raw twin is not, so
// there the baseline pays the token check, tens of microseconds, and Prisma does not.)
const auth = BENCH_AUTH;
const json = { "Content-Type": "application/json" };
const write = { ...json, ...auth };

const HTTP_ONE = "one /sql request (Neon authenticates the connection string inside it)";
const WS = (statements: number) =>
  `upgrade + ${statements} statement${statements > 1 ? "s" : ""}, startup and password pipelined with the first = 1 + ${statements}`;
const HYPERDRIVE = (statements: number) =>
  `${statements} statement${statements > 1 ? "s" : ""} (startup and password stay in Cloudflare's data centre) = ${statements}`;

export function benchCases(f: Fixtures): BenchCase[] {
  const get = (path: string): RequestSpec => ({ method: "GET", path, headers: auth });
  return [
    {
      name: "GET /health",
      transport: "http",
      prisma: get("/health?need=statement"),
      raw: get("/__bench/raw/http/health"),
      minFlights: 1,
      minWhy: HTTP_ONE,
      cold: false,
    },
    {
      name: "GET /health",
      transport: "ws",
      prisma: get("/health?need=transaction"),
      raw: get("/__bench/raw/ws/health"),
      minFlights: 2,
      minWhy: WS(1),
      cold: true,
    },
    {
      name: "GET /users/{id}",
      transport: "http",
      prisma: get(`/users/${f.userId}`),
      raw: get(`/__bench/raw/http/users/${f.userId}`),
      minFlights: 1,
      minWhy: HTTP_ONE,
      cold: true,
    },
    {
      name: "GET /users/{id}",
      transport: "ws",
      prisma: get(`/__bench/prisma/ws/users/${f.userId}`),
      raw: get(`/__bench/raw/ws/users/${f.userId}`),
      minFlights: 2,
      minWhy: WS(1),
      cold: false,
    },
    {
      name: "GET /users",
      transport: "http",
      prisma: get("/users?limit=20"),
      raw: get("/__bench/raw/http/users"),
      minFlights: 1,
      minWhy: HTTP_ONE,
      cold: false,
    },
    {
      name: "POST /users",
      transport: "http",
      prisma: { method: "POST", path: "/users", headers: write, body: () => JSON.stringify({ email: email() }) },
      raw: {
        method: "POST",
        path: "/__bench/raw/http/users",
        headers: write,
        body: () => JSON.stringify({ email: email() }),
      },
      minFlights: 1,
      minWhy: HTTP_ONE,
      cold: false,
    },
    {
      name: "POST /posts (one statement)",
      transport: "http",
      prisma: {
        method: "POST",
        path: "/posts",
        headers: write,
        body: () => JSON.stringify({ title: "bench", authorId: f.userId }),
      },
      raw: {
        method: "POST",
        path: "/__bench/raw/http/posts",
        headers: write,
        body: () => JSON.stringify({ title: "bench", authorId: f.userId }),
      },
      minFlights: 1,
      minWhy: `${HTTP_ONE} (INSERT post + UPDATE author in one statement)`,
      cold: true,
    },
    ...hyperdriveCases(f),
  ];
}

/** The same endpoints on the Hyperdrive path: the app's own routes, against pg over the binding. */
function hyperdriveCases(f: Fixtures): BenchCase[] {
  const get = (path: string): RequestSpec => ({ method: "GET", path, headers: auth });
  const user = () => JSON.stringify({ email: email() });
  const post = () => JSON.stringify({ title: "bench", authorId: f.userId });
  const one = { transport: "hyperdrive" as const, minFlights: 1, minWhy: HYPERDRIVE(1), cold: false };
  return [
    { ...one, name: "GET /health", prisma: get("/health"), raw: get("/__bench/raw/pg/health") },
    {
      ...one,
      name: "GET /users/{id}",
      prisma: get(`/users/${f.userId}`),
      raw: get(`/__bench/raw/pg/users/${f.userId}`),
      cold: true,
    },
    { ...one, name: "GET /users", prisma: get("/users?limit=20"), raw: get("/__bench/raw/pg/users") },
    {
      ...one,
      name: "POST /users",
      prisma: { method: "POST", path: "/users", headers: write, body: user },
      raw: { method: "POST", path: "/__bench/raw/pg/users", headers: write, body: user },
    },
    {
      ...one,
      name: "POST /posts (one statement)",
      prisma: { method: "POST", path: "/posts", headers: write, body: post },
      raw: { method: "POST", path: "/__bench/raw/pg/posts", headers: write, body: post },
      minWhy: `${HYPERDRIVE(1)} (INSERT post + UPDATE author in one statement)`,
      cold: true,
    },
  ];
}
