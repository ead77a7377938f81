/** A running local database server, whichever kind: where to connect, and how to stop it. */
export interface DatabaseServer {
  /** postgres://user:password@127.0.0.1:PORT/dbname — the password is always present. */
  url: string;
  stop(): Promise<void>;
}
