// The baseline: each endpoint's database work done with the driver directly, per request, as a
// hand-written Worker would, under /__bench/raw/{wire}/…:
//   http: @neondatabase/serverless's neon() (one /sql request per statement);
//   ws:   its Client over WebSocket, one per request;
//   pg:   pg's Client on the HYPERDRIVE binding, one per request.
// Each route is written once, against a `query` function; the wire decides what runs it. The
// statements are the ones Prisma sends for the app's routes (same columns, same order, same
// transactions), so the difference between the two is Prisma's own cost.
import { Client, neon } from "@neondatabase/serverless";
import type { Context, Hono } from "hono";
import pg from "pg";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import type { AppEnv } from "../../../src/env";

type App = Hono<AppEnv>;
type Row = Record<string, unknown>;
/** One statement, its rows. */
export type Query = (text: string, params?: unknown[]) => Promise<Row[]>;
export type Wire = "http" | "ws" | "pg";

const USER_COLUMNS = `id, email, name, role, post_count AS "postCount", created_at AS "createdAt", updated_at AS "updatedAt"`;
const POST_COLUMNS = `id, title, content, status, author_id AS "authorId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** POST /posts's one statement (src/services/posts.ts): the post, and its author's counter. */
const CREATE_POST = `WITH author AS (
    UPDATE users SET post_count = post_count + 1, updated_at = now() WHERE id = $2::uuid RETURNING id
  )
  INSERT INTO posts (author_id, updated_at, title) SELECT id, now(), $1 FROM author RETURNING ${POST_COLUMNS}`;
/** DELETE /posts/{id}'s one statement: the post, and its author's counter. */
const DELETE_POST = `WITH post AS (DELETE FROM posts WHERE id = $1::uuid RETURNING author_id)
  UPDATE users SET post_count = post_count - 1, updated_at = now() WHERE id = (SELECT author_id FROM post) RETURNING id`;

interface RawRoute {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  /** Needs a transaction: not on the http wire (as the app, which sends those over WebSocket). */
  transaction?: boolean;
  run(c: Context<AppEnv>, query: Query): Promise<Response>;
}

const notFound = (c: Context<AppEnv>) => c.json({ title: "Not found" }, 404);
const one = (c: Context<AppEnv>, rows: Row[], status: 200 | 201 = 200) =>
  rows[0] ? c.json(rows[0], status) : notFound(c);
const page = (c: Context<AppEnv>, rows: Row[]) =>
  c.json({ items: rows.slice(0, 20), nextCursor: rows.length > 20 ? "x" : null });

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
      path: `/${table}/:id`,
      run: async (c, q) => one(c, await q(`SELECT ${columns} FROM ${table} WHERE id = $1`, [c.req.param("id")])),
    },
    {
      method: "patch",
      path: `/${table}/:id`,
      run: async (c, q) => {
        const value = (await c.req.json<Record<string, string>>())[field];
        const sql = `UPDATE ${table} SET ${field} = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`;
        return one(c, await q(sql, [c.req.param("id"), value]));
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
    path: "/users/:id",
    run: async (c, q) =>
      (await q(`DELETE FROM users WHERE id = $1 RETURNING ${USER_COLUMNS}`, [c.req.param("id")]))[0]
        ? c.body(null, 204)
        : notFound(c),
  },
  {
    method: "post",
    path: "/posts",
    run: async (c, q) => {
      const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
      return one(c, await q(CREATE_POST, [title, authorId]), 201);
    },
  },
  {
    method: "delete",
    path: "/posts/:id",
    run: async (c, q) => ((await q(DELETE_POST, [c.req.param("id")]))[0] ? c.body(null, 204) : notFound(c)),
  },
  // The move (src/services/posts.ts): read the post, check, both counters, the post; a transaction.
  {
    method: "post",
    path: "/posts/:id/move",
    transaction: true,
    run: async (c, q) => {
      const { authorId: to } = await c.req.json<{ authorId: string }>();
      const id = c.req.param("id");
      return inTransaction(q, async () => {
        const [post] = await q(`SELECT author_id AS "authorId" FROM posts WHERE id = $1`, [id]);
        if (!post) return notFound(c);
        if (post.authorId === to) return c.json({ title: "No-op move" }, 409);
        await q(`UPDATE users SET post_count = post_count - 1, updated_at = now() WHERE id = $1 RETURNING id`, [
          post.authorId,
        ]);
        await q(`UPDATE users SET post_count = post_count + 1, updated_at = now() WHERE id = $1`, [to]);
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
    db = new Client(c.env.DATABASE_URL);
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
    return use((text, params) => sql.query(text, params) as Promise<Row[]>);
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
    for (const route of ROUTES) {
      if (route.transaction && wire === "http") continue;
      app.on(route.method.toUpperCase(), `/__bench/raw/${wire}${route.path}`, (c) =>
        withQuery(c, wire, (q) => route.run(c, q)),
      );
    }
  }
}
