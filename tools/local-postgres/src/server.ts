/** A running local database server, whichever kind: where to connect, and how to stop it. */
export interface DatabaseServer {
  /** postgres://user:password@127.0.0.1:PORT/dbname — the password is always present. */
  url: string;
  /** The directory its files live in (a cluster's root), for what runs beside it (PgBouncer's files). */
  dir?: string;
  stop(): Promise<void>;
}
