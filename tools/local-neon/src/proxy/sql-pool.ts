// Authenticated upstream connections for /sql, reused across requests as Neon's proxy does (it
// keeps a pool per endpoint, database and user). Without it every HTTP query paid a fresh TCP
// connect and authentication (~6 ms locally) that Neon never charges, and every benchmark
// baseline carried it.
//
// - Keyed by endpoint, database, user and a hash of the password: a request only reuses a
//   connection its own credentials opened, so the per-request credential check stands (a wrong
//   password is another key, hence a real authentication, which fails).
// - Bounded: at most MAX_IDLE_PER_KEY idle connections per key and MAX_IDLE in all; idle ones
//   close after IDLE_MS.
// - Reset between uses with DISCARD ALL (session settings, temp tables, prepared statements,
//   advisory locks, LISTEN), so nothing one request sets is visible to the next.
import { createHash } from "node:crypto";
import type pg from "pg";

const MAX_IDLE_PER_KEY = 4;
const MAX_IDLE = 16;
const IDLE_MS = 60_000;

interface Idle {
  client: pg.Client;
  timer: NodeJS.Timeout;
}

export class UpstreamPool {
  private readonly idle = new Map<string, Idle[]>();
  private idleCount = 0;
  private readonly broken = new WeakSet<pg.Client>();

  /** `enabled: false` (PGlite: one shared session, where DISCARD ALL would reach every client). */
  constructor(private readonly enabled: boolean) {}

  static key(target: { host: string; port: number; database: string; user: string; password: string }): string {
    const secret = createHash("sha256").update(target.password).digest("hex");
    return `${target.user}:${secret}@${target.host}:${target.port}/${target.database}`;
  }

  /** An idle connection for this key, or undefined (the caller opens one and watches it). */
  take(key: string): pg.Client | undefined {
    const list = this.idle.get(key);
    const entry = list?.pop();
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.idleCount--;
    return entry.client;
  }

  /** Marks a connection the pool must never hand out again (it errored or ended). */
  watch(client: pg.Client): void {
    const drop = () => {
      this.broken.add(client);
      this.remove(client);
    };
    client.on("error", drop);
    client.on("end", drop);
  }

  /** Back to the pool after a request: reset, then kept if healthy and there is room; else closed. */
  async give(key: string, client: pg.Client, healthy: boolean): Promise<void> {
    const full = () => (this.idle.get(key)?.length ?? 0) >= MAX_IDLE_PER_KEY || this.idleCount >= MAX_IDLE;
    if (!this.enabled || !healthy || this.broken.has(client) || full()) {
      await client.end().catch(() => {});
      return;
    }
    try {
      await client.query("DISCARD ALL");
    } catch {
      await client.end().catch(() => {});
      return;
    }
    if (this.broken.has(client)) return;
    // Checked again: other connections may have come back while this one was being reset.
    if (full()) {
      await client.end().catch(() => {});
      return;
    }
    const list = this.idle.get(key) ?? [];
    const timer = setTimeout(() => {
      this.remove(client);
      void client.end().catch(() => {});
    }, IDLE_MS);
    timer.unref();
    list.push({ client, timer });
    this.idle.set(key, list);
    this.idleCount++;
  }

  /** How many connections are idle (for tests and counters). */
  size(): number {
    return this.idleCount;
  }

  async close(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    this.idleCount = 0;
    await Promise.all(
      all.map(({ client, timer }) => {
        clearTimeout(timer);
        return client.end().catch(() => {});
      }),
    );
  }

  private remove(client: pg.Client): void {
    for (const [key, list] of this.idle) {
      const i = list.findIndex((entry) => entry.client === client);
      if (i < 0) continue;
      clearTimeout(list[i]!.timer);
      list.splice(i, 1);
      this.idleCount--;
      if (list.length === 0) this.idle.delete(key);
      return;
    }
  }
}
