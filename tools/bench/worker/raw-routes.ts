// The baseline: each endpoint's database work done with @neondatabase/serverless directly, per
// request, as a hand-written Worker would (neon() for HTTP, a Client per request for WebSocket).
import { Client, neon } from "@neondatabase/serverless";
import type { Context, Hono } from "hono";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import type { AppEnv } from "../../../src/env";

type App = Hono<AppEnv>;
const USER_COLUMNS = `id, email, name, role, post_count AS "postCount", created_at AS "createdAt", updated_at AS "updatedAt"`;

function sql(c: Context<AppEnv>) {
  useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
  return neon(c.env.DATABASE_URL, { fullResults: false });
}

/** A connected Client for this request, closed after the response (as withPrisma does). */
async function client(c: Context<AppEnv>): Promise<Client> {
  useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
  const db = new Client(c.env.DATABASE_URL);
  db.on("error", () => {}); // workerd reports "Network connection lost" after a clean close
  await db.connect();
  return db;
}

const done = (c: Context<AppEnv>, db: Client) => c.executionCtx.waitUntil(db.end().catch(() => {}));

export function mountRawRoutes(app: App): void {
  app.get("/__bench/raw/http/health", async (c) => {
    await sql(c)`SELECT 1`;
    return c.json({ status: "ok", database: "up", transport: "http" });
  });

  app.get("/__bench/raw/ws/health", async (c) => {
    const db = await client(c);
    try {
      await db.query("SELECT 1");
      return c.json({ status: "ok", database: "up", transport: "ws" });
    } finally {
      done(c, db);
    }
  });

  app.get("/__bench/raw/http/users/:id", async (c) => {
    const rows = await sql(c).query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [c.req.param("id")]);
    return rows[0] ? c.json(rows[0]) : c.json({ title: "Not found" }, 404);
  });

  app.get("/__bench/raw/ws/users/:id", async (c) => {
    const db = await client(c);
    try {
      const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [c.req.param("id")]);
      return rows[0] ? c.json(rows[0]) : c.json({ title: "Not found" }, 404);
    } finally {
      done(c, db);
    }
  });

  app.get("/__bench/raw/http/users", async (c) => {
    const rows = await sql(c).query(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT 21`);
    return c.json({ items: rows.slice(0, 20), nextCursor: rows.length > 20 ? "x" : null });
  });

  app.post("/__bench/raw/http/users", async (c) => {
    const { email, name } = await c.req.json<{ email: string; name?: string }>();
    const rows = await sql(c).query(
      `INSERT INTO users (email, name, updated_at) VALUES ($1, $2, now()) RETURNING ${USER_COLUMNS}`,
      [email, name ?? null],
    );
    return c.json(rows[0], 201);
  });

  // The same transaction as POST /posts: insert the post, bump the author's counter.
  app.post("/__bench/raw/ws/posts", async (c) => {
    const { title, authorId } = await c.req.json<{ title: string; authorId: string }>();
    const db = await client(c);
    try {
      await db.query("BEGIN");
      const { rows } = await db.query(
        `INSERT INTO posts (title, author_id, updated_at) VALUES ($1, $2, now()) RETURNING id, title, content, status, author_id AS "authorId", created_at AS "createdAt", updated_at AS "updatedAt"`,
        [title, authorId],
      );
      await db.query("UPDATE users SET post_count = post_count + 1, updated_at = now() WHERE id = $1", [authorId]);
      await db.query("COMMIT");
      return c.json(rows[0], 201);
    } catch (error) {
      await db.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      done(c, db);
    }
  });
}
