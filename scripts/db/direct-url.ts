// Validation of DIRECT_URL, the connection the Node scripts (migrate, seed) use.
export class DatabaseScriptError extends Error {
  override name = "DatabaseScriptError";
}

export { redactUrl } from "@starter/prisma-offline";

export function readDirectUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DIRECT_URL?.trim();
  if (!url) {
    throw new DatabaseScriptError(
      "DIRECT_URL is not set: put your direct (non -pooler) Postgres connection string in .env or the environment (see .env.example).",
    );
  }
  return url;
}

export function parsePostgresUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DatabaseScriptError("DIRECT_URL is not a valid URL (expected postgresql://user:password@host/db).");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new DatabaseScriptError(`DIRECT_URL must start with postgresql:// (got ${u.protocol}//).`);
  }
  return u;
}

/**
 * Migrate needs a real session: PgBouncer in transaction mode (Neon's -pooler host) hands
 * each statement to whichever server connection is free, so session state vanishes.
 */
export function assertNotPooled(url: string): void {
  const u = parsePostgresUrl(url);
  const pooledHost = u.hostname.includes("-pooler");
  const pgbouncer = u.searchParams.get("pgbouncer") === "true";
  if (!pooledHost && !pgbouncer) return;
  const why = pooledHost ? `host ${u.hostname} is a -pooler endpoint` : "it has pgbouncer=true";
  throw new DatabaseScriptError(
    `DIRECT_URL is a pooled connection (${why}): PgBouncer's transaction mode breaks Prisma Migrate ` +
      `(errors such as 'prepared statement "s0" already exists' and advisory-lock timeouts); ` +
      `use the direct host instead, i.e. the same host without "-pooler" and without pgbouncer=true.`,
  );
}

/** Adds connect_timeout (seconds) unless the URL sets one, so a dead host fails instead of hanging. */
export function withConnectTimeout(url: string, seconds: number): string {
  const u = parsePostgresUrl(url);
  if (!u.searchParams.has("connect_timeout")) u.searchParams.set("connect_timeout", String(seconds));
  return u.toString();
}
