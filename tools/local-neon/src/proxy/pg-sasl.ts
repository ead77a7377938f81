// SCRAM-SHA-256 client steps, reused from node-postgres rather than re-implemented.
import { createRequire } from "node:module";

export interface SaslSession {
  mechanism: string;
  response: string;
}

interface PgSaslModule {
  startSession(mechanisms: string[], stream?: unknown): SaslSession;
  continueSession(session: SaslSession, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: SaslSession, serverData: string): void;
}

export const pgSasl = createRequire(import.meta.url)("pg/lib/crypto/sasl.js") as PgSaslModule;
