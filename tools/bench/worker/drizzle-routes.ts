// A second baseline, another ORM: drizzle-orm on the same drivers, for the single-statement reads
// (GET /users/{id} and GET /users), under /__bench/drizzle/{wire}/…. Its per-request cost is what
// an ORM without a query compiler charges on top of the raw driver. Validation and page cursor are
// the app route's, as for the raw twins (twins.ts).
import { type Client, neon } from "@neondatabase/serverless";
import { desc, eq } from "drizzle-orm";
import { drizzle as onNeonHttp } from "drizzle-orm/neon-http";
import { drizzle as onNeonWs } from "drizzle-orm/neon-serverless";
import { drizzle as onPg } from "drizzle-orm/node-postgres";
import { integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { Context } from "hono";
import type pg from "pg";
import { useLocalNeonProxy } from "../../../src/db/local-neon";
import type { AppEnv } from "../../../src/env";
import { page } from "../../../src/lib/cursor";
import { connectClient, type Wire } from "./raw-routes";
import { type App, idParam, mountTwins, type TwinRoute } from "./twins";

const users = pgTable("users", {
  id: uuid("id").primaryKey(),
  email: text("email").notNull(),
  name: text("name"),
  role: text("role").notNull(),
  postCount: integer("post_count").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull(),
});

/** What the routes use of a drizzle database: the query builder, the same on every driver. */
type Db = Pick<ReturnType<typeof onPg>, "select">;

/** A drizzle database on this wire for this request; a client is closed after the response. */
async function withDrizzle(c: Context<AppEnv>, wire: Wire, use: (db: Db) => Promise<Response>): Promise<Response> {
  if (wire === "http") {
    useLocalNeonProxy(c.env.NEON_LOCAL_PROXY);
    return use(onNeonHttp(neon(c.env.DATABASE_URL)) as unknown as Db);
  }
  const client = await connectClient(c, wire);
  try {
    return await use(
      wire === "pg" ? onPg({ client: client as pg.Client }) : (onNeonWs({ client: client as Client }) as unknown as Db),
    );
  } finally {
    c.executionCtx.waitUntil(client.end().catch(() => {}));
  }
}

const ROUTES: TwinRoute<Db>[] = [
  {
    method: "get",
    path: "/users/{id}",
    run: async (c, db) => {
      const [user] = await db
        .select()
        .from(users)
        .where(eq(users.id, idParam(c)));
      return user ? c.json(user) : c.json({ title: "Not found" }, 404);
    },
  },
  {
    method: "get",
    path: "/users",
    run: async (c, db) =>
      c.json(page(await db.select().from(users).orderBy(desc(users.createdAt), desc(users.id)).limit(21), 20)),
  },
];

export function mountDrizzleRoutes(app: App): void {
  for (const wire of ["http", "ws", "pg"] as const) {
    mountTwins(app, `/__bench/drizzle/${wire}`, ROUTES, (c, use) => withDrizzle(c, wire, use));
  }
}
