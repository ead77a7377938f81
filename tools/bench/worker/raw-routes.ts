// The baseline: each endpoint's database work done with the driver directly, per request, as a
// hand-written Worker would: @neondatabase/serverless (neon() for HTTP, a Client per request for
// WebSocket), and pg (a Client per request on the HYPERDRIVE binding) for the Hyperdrive path.
import { Client, neon } from "@neondatabase/serverless";
import type { Context, Hono } from "hono";
import pg from "pg";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import type { AppEnv } from "../../../src/env";

type App = Hono<AppEnv>;
const USER_COLUMNS = `id, email, name, role, post_count AS "postCount", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** POST /posts's one statement (src/services/posts.ts): the post, and its author's counter. */
const CREATE_POST = `WITH author AS (
    UPDATE users SET post_count = post_count + 1, updated_at = now() WHERE id = $2::uuid RETURNING id
  )
  INSERT INTO posts (author_id, updated_at, title) SELECT id, now(), $1 FROM author
  RETURNING id, title, content, status, author_id AS "authorId", created_at AS "createdAt", updated_at AS "updatedAt"`;

function sql(c: Context<AppEnv>) {
  useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
  return neon(c.env.DATABASE_URL, { fullResults: false });
}

/** What the routes below use of a connected client: pg's API, which Neon's Client shares. */
type RawClient = Pick<pg.Client, "query" | "end">;

/** Neon's Client over WebSocket ("ws") or pg over Hyperdrive ("pg"), connected, for this request. */
async function connectRaw(c: Context<AppEnv>, wire: "ws" | "pg"): Promise<RawClient> {
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

/** Closes the client after the response (as withPrisma does). */
const done = (c: Context<AppEnv>, db: RawClient) => c.executionCtx.waitUntil(db.end().catch(() => {}));

export function mountRawRoutes(app: App): void {
  app.get("/__bench/raw/http/health", async (c) => {
    await sql(c)`SELECT 1`;
    return c.json({ status: "ok", database: "up", transport: "http" });
  });

  for (const wire of ["ws", "pg"] as const) mountClientRoutes(app, wire);

  app.get("/__bench/raw/http/users/:id", async (c) => {
    const rows = await sql(c).query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [c.req.param("id")]);
    return rows[0] ? c.json(rows[0]) : c.json({ title: "Not found" }, 404);
  });

  app.get("/__bench/raw/http/users", async (c) => {
    const rows = await sql(c).query(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT 21`);
    return c.json({ items: rows.slice(0, 20), nextCursor: rows.length > 20 ? "x" : null });
  });

  app.post("/__bench/raw/http/posts", async (c) => {
    const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
    const rows = await sql(c).query(CREATE_POST, [title, authorId]);
    return c.json(rows[0], 201);
  });

  app.post("/__bench/raw/http/users", async (c) => {
    const { email, name } = await c.req.json<{ email: string; name?: string }>();
    const rows = await sql(c).query(
      `INSERT INTO users (email, name, updated_at) VALUES ($1, $2, now()) RETURNING ${USER_COLUMNS}`,
      [email, name ?? null],
    );
    return c.json(rows[0], 201);
  });
}

/** The routes that take a connected client, for Neon's WebSocket and for pg over Hyperdrive. */
function mountClientRoutes(app: App, wire: "ws" | "pg"): void {
  app.get(`/__bench/raw/${wire}/health`, async (c) => {
    const db = await connectRaw(c, wire);
    try {
      await db.query("SELECT 1");
      return c.json({ status: "ok", database: "up", transport: wire });
    } finally {
      done(c, db);
    }
  });

  app.get(`/__bench/raw/${wire}/users/:id`, async (c) => {
    const db = await connectRaw(c, wire);
    try {
      const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [c.req.param("id")]);
      return rows[0] ? c.json(rows[0]) : c.json({ title: "Not found" }, 404);
    } finally {
      done(c, db);
    }
  });

  app.get(`/__bench/raw/${wire}/users`, async (c) => {
    const db = await connectRaw(c, wire);
    try {
      const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT 21`);
      return c.json({ items: rows.slice(0, 20), nextCursor: rows.length > 20 ? "x" : null });
    } finally {
      done(c, db);
    }
  });

  app.post(`/__bench/raw/${wire}/users`, async (c) => {
    const { email, name } = await c.req.json<{ email: string; name?: string }>();
    const db = await connectRaw(c, wire);
    try {
      const { rows } = await db.query(
        `INSERT INTO users (email, name, updated_at) VALUES ($1, $2, now()) RETURNING ${USER_COLUMNS}`,
        [email, name ?? null],
      );
      return c.json(rows[0], 201);
    } finally {
      done(c, db);
    }
  });

  // The same single statement as POST /posts: insert the post, bump the author's counter.
  app.post(`/__bench/raw/${wire}/posts`, async (c) => {
    const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
    const db = await connectRaw(c, wire);
    try {
      const { rows } = await db.query(CREATE_POST, [title, authorId]);
      return c.json(rows[0], 201);
    } finally {
      done(c, db);
    }
  });
}
