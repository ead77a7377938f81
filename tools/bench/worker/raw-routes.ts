// The baseline: each endpoint's database work done with the driver directly, per request, as a
// hand-written Worker would, under /__bench/raw/{wire}/…:
//   http: @neondatabase/serverless's neon() (one /sql request per statement);
//   ws:   its Client over WebSocket, one per request;
//   pg:   pg's Client on the HYPERDRIVE binding, one per request.
// Each route is written once, against a `query` function; the wire decides what runs it. The
// statements are the ones Prisma sends for the app's routes (same columns, same order, same
// transactions), and what surrounds them is the app route's own: its request schemas, validated
// the same way (twins.ts), and its page cursor; the rows serialize to the app's DTOs (the drivers
// parse timestamps to Dates, as Prisma does). tools/bench/test/twins.test.ts checks that each twin
// answers what its app route answers. So the difference between the two is Prisma's own cost.
import { Client, neon } from "@neondatabase/serverless";
import type { Context } from "hono";
import pg from "pg";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import { openWebSocketsWithFetch } from "../../../src/db/neon-websocket";
import type { AppEnv } from "../../../src/env";
import { page as pageOf } from "../../../src/lib/cursor";
import { type App, idParam, mountTwins, type TwinRoute } from "./twins";

type Row = Record<string, unknown>;
/** One statement, its rows. */
export type Query = (text: string, params?: unknown[]) => Promise<Row[]>;
export type Wire = "http" | "ws" | "pg";

const USER_COLUMNS = `id, email, name, role, post_count AS "postCount", created_at AS "createdAt", updated_at AS "updatedAt"`;
const POST_COLUMNS = `id, title, content, status, author_id AS "authorId", created_at AS "createdAt", updated_at AS "updatedAt"`;

// The author's post_count is the database's (a trigger: prisma/migrations/*_post_count_trigger), as
// for the app: the twins send Prisma's plain INSERT, DELETE and UPDATEs of posts (src/services/posts.ts).
/** POST /posts's one statement. */
const CREATE_POST = `INSERT INTO posts (title, author_id, updated_at) VALUES ($1, $2, now()) RETURNING ${POST_COLUMNS}`;

interface RawRoute extends TwinRoute<Query> {
  /** Needs a transaction: not on the http wire (as the app, which sends those over WebSocket). */
  transaction?: boolean;
}

const notFound = (c: Context<AppEnv>) => c.json({ title: "Not found" }, 404);
const one = (c: Context<AppEnv>, rows: Row[], status: 200 | 201 = 200) =>
  rows[0] ? c.json(rows[0], status) : notFound(c);
/** A page of 20 (the bench asks for limit=20), with the app's cursor. */
const page = (c: Context<AppEnv>, rows: Row[]) => c.json(pageOf(rows as { createdAt: Date; id: string }[], 20));

/** GET /{table} (a page, newest first), GET /{table}/:id and PATCH /{table}/:id of one text field. */
function readsAndPatch(table: string, columns: string, field: string): RawRoute[] {
  return [
    {
      method: "get",
      path: `/${table}`,
      run: async (c, q) =>
        page(c, await q(`SELECT ${columns} FROM ${table} ORDER BY created_at DESC, id DESC LIMIT 21`)),
    },
    {
      method: "get",
      path: `/${table}/{id}`,
      run: async (c, q) => one(c, await q(`SELECT ${columns} FROM ${table} WHERE id = $1`, [idParam(c)])),
    },
    {
      method: "patch",
      path: `/${table}/{id}`,
      run: async (c, q) => {
        const value = (await c.req.json<Record<string, string>>())[field];
        const sql = `UPDATE ${table} SET ${field} = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`;
        return one(c, await q(sql, [idParam(c), value]));
      },
    },
  ];
}

const ROUTES: RawRoute[] = [
  ...readsAndPatch("users", USER_COLUMNS, "name"),
  ...readsAndPatch("posts", POST_COLUMNS, "title"),
  {
    method: "get",
    path: "/health",
    run: async (c, q) => {
      await q("SELECT 1");
      return c.json({ status: "ok" });
    },
  },
  {
    method: "post",
    path: "/users",
    run: async (c, q) => {
      const { email, name } = await c.req.json<{ email: string; name?: string }>();
      const sql = `INSERT INTO users (email, name, updated_at) VALUES ($1, $2, now()) RETURNING ${USER_COLUMNS}`;
      return one(c, await q(sql, [email, name ?? null]), 201);
    },
  },
  {
    method: "delete",
    path: "/users/{id}",
    run: async (c, q) =>
      (await q(`DELETE FROM users WHERE id = $1 RETURNING ${USER_COLUMNS}`, [idParam(c)]))[0]
        ? c.body(null, 204)
        : notFound(c),
  },
  {
    method: "post",
    path: "/posts",
    run: async (c, q) => {
      const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
      const [post] = await q(CREATE_POST, [title, authorId]);
      return post ? c.json(post, 201, { Location: `/posts/${post.id}` }) : notFound(c);
    },
  },
  {
    method: "delete",
    path: "/posts/{id}",
    run: async (c, q) =>
      (await q(`DELETE FROM posts WHERE id = $1 RETURNING ${POST_COLUMNS}`, [idParam(c)]))[0]
        ? c.body(null, 204)
        : notFound(c),
  },
  // The move (src/services/posts.ts): lock the post as it is read, check, reassign it; a transaction.
  {
    method: "post",
    path: "/posts/{id}/move",
    transaction: true,
    run: async (c, q) => {
      const { authorId: to } = await c.req.json<{ authorId: string }>();
      const id = idParam(c);
      return inTransaction(q, async () => {
        const [post] = await q(
          `UPDATE posts SET updated_at = now() WHERE id = $1 RETURNING id, author_id AS "authorId"`,
          [id],
        );
        if (!post) return notFound(c);
        if (post.authorId === to) return c.json({ title: "No-op move" }, 409);
        return one(
          c,
          await q(`UPDATE posts SET author_id = $2, updated_at = now() WHERE id = $1 RETURNING ${POST_COLUMNS}`, [
            id,
            to,
          ]),
        );
      });
    },
  },
  // A keyed POST /posts (src/middleware/idempotency.ts): bound the transaction, look the key up,
  // the write, record the key with the response; a transaction.
  {
    method: "post",
    path: "/posts/keyed",
    appPath: "/posts",
    transaction: true,
    run: async (c, q) => {
      const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
      const key = c.req.header("Idempotency-Key") ?? "";
      return inTransaction(q, async () => {
        await q(
          `SELECT set_config('idle_in_transaction_session_timeout', '10s', true), set_config('lock_timeout', '3s', true)`,
        );
        const found = await q(`SELECT key FROM idempotency_keys WHERE caller = $1 AND route = $2 AND key = $3`, [
          "bench",
          "POST /posts",
          key,
        ]);
        if (found[0]) return c.json({ replayed: true }, 201);
        const [post] = await q(CREATE_POST, [title, authorId]);
        const body = JSON.stringify(post);
        await q(
          `INSERT INTO idempotency_keys (caller, route, key, fingerprint, response_status, response_headers, response_body) VALUES ($1, $2, $3, $4, 201, $5, $6)`,
          ["bench", "POST /posts", key, "f", JSON.stringify({ "content-type": "application/json" }), body],
        );
        return c.body(body, 201, { "content-type": "application/json" });
      });
    },
  },
];

/** BEGIN … COMMIT around `work`; ROLLBACK if it throws or answers an error. */
async function inTransaction(q: Query, work: () => Promise<Response>): Promise<Response> {
  await q("BEGIN");
  try {
    const res = await work();
    await q(res.ok ? "COMMIT" : "ROLLBACK");
    return res;
  } catch (error) {
    await q("ROLLBACK").catch(() => {});
    throw error;
  }
}

/**
 * The type parsers a hand-written Worker gets by default (pg-types': timestamps become Dates), passed
 * explicitly: drizzle-orm's neon-http driver replaces @neondatabase/serverless's global parsers for
 * timestamps, dates and intervals with ones that return the text, so once a drizzle twin had run in
 * the isolate the raw twins would skip parsing dates that Prisma and the app's DTOs pay for.
 */
const DRIVER_DEFAULT_TYPES = pg.types;

/** What the routes use of a connected client: pg's API, which Neon's Client shares. */
type RawClient = Pick<pg.Client, "query" | "end">;

/** Neon's Client over WebSocket ("ws") or pg over Hyperdrive ("pg"), connected, for this request. */
export async function connectClient(c: Context<AppEnv>, wire: "ws" | "pg"): Promise<Client | pg.Client> {
  let db: Client | pg.Client;
  if (wire === "pg") {
    if (!c.env.HYPERDRIVE) throw new Error("the pg routes need the HYPERDRIVE binding");
    db = new pg.Client({ connectionString: c.env.HYPERDRIVE.connectionString });
  } else {
    useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
    openWebSocketsWithFetch(); // the app's sockets (src/db/neon-websocket.ts), or the twin would be measured on others
    db = new Client({ connectionString: c.env.DATABASE_URL, types: DRIVER_DEFAULT_TYPES });
  }
  db.on("error", () => {}); // workerd reports "Network connection lost" after a clean close
  await db.connect();
  return db;
}

/** Runs `use` with this wire's query function; a client is closed after the response (as withPrisma does). */
export async function withQuery(
  c: Context<AppEnv>,
  wire: Wire,
  use: (q: Query) => Promise<Response>,
): Promise<Response> {
  if (wire === "http") {
    useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
    const sql = neon(c.env.DATABASE_URL, { fullResults: false });
    // neon() reads `types` per query, not from its own options.
    return use((text, params) => sql.query(text, params, { types: DRIVER_DEFAULT_TYPES }) as Promise<Row[]>);
  }
  const db: RawClient = (await connectClient(c, wire)) as pg.Client;
  try {
    return await use(async (text, params) => (await db.query(text, params)).rows as Row[]);
  } finally {
    c.executionCtx.waitUntil(db.end().catch(() => {}));
  }
}

export function mountRawRoutes(app: App): void {
  for (const wire of ["http", "ws", "pg"] as const) {
    const routes = ROUTES.filter((route) => !(route.transaction && wire === "http"));
    mountTwins(app, `/__bench/raw/${wire}`, routes, (c, use) => withQuery(c, wire, use));
  }
}
