// Authenticated sessions to the origin for the TCP endpoint (a local Hyperdrive binding's origin),
// reused across client connections as Hyperdrive does: it keeps warm connections to the database
// and a Worker's connect only reaches Hyperdrive, in the same data centre. Without this every
// local connect opened a new Postgres backend (~13–15 ms of fork and authentication on the test
// machine) that production does not charge, and every Hyperdrive baseline carried it.
//
// - Keyed by origin, startup parameters (user, database, options …) and a hash of the password:
//   a client only gets a session its own credentials opened (the proxy checks the password before
//   it looks here).
// - A session comes back only when its client left it idle (ReadyForQuery status 'I'), and is
//   reset with DISCARD ALL first (settings, temp tables, prepared statements, advisory locks,
//   LISTEN); anything else, or a failing reset, closes it.
// - Bounded: MAX_IDLE_PER_KEY per key, MAX_IDLE in all; idle ones close after IDLE_MS.
import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import { cstring, MessageReader, typedMessage } from "./pg-wire.js";

const MAX_IDLE_PER_KEY = 8;
const MAX_IDLE = 32;
const IDLE_MS = 60_000;
const RESET_TIMEOUT_MS = 5_000;

/** A session past authentication, and what its client was told when it started (replayed on reuse). */
export interface OriginSession {
  socket: Socket;
  /** AuthenticationOk … ReadyForQuery, as the origin sent them. */
  greeting: Buffer;
}

interface Idle {
  session: OriginSession;
  timer: NodeJS.Timeout;
}

export class OriginPool {
  private readonly sessions = new Map<string, Idle[]>();
  private count = 0;

  /** `enabled: false` (PGlite: one shared session, where DISCARD ALL would reach every client). */
  constructor(private readonly enabled: boolean) {}

  /** Idle sessions now. */
  get idle(): number {
    return this.count;
  }

  static key(origin: { host: string; port: number }, startup: Record<string, string>, password: string): string {
    const secret = createHash("sha256").update(password).digest("hex");
    const params = Object.entries(startup).sort(([a], [b]) => a.localeCompare(b));
    return `${origin.host}:${origin.port}|${JSON.stringify(params)}|${secret}`;
  }

  take(key: string): OriginSession | undefined {
    const entry = this.sessions.get(key)?.pop();
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.count--;
    entry.session.socket.removeAllListeners();
    return entry.session;
  }

  /** A session its client has left idle: reset it and keep it, or close it. */
  give(key: string, session: OriginSession): void {
    const { socket } = session;
    socket.removeAllListeners();
    socket.on("error", () => socket.destroy());
    if (!this.enabled || socket.destroyed || this.full(key)) {
      socket.destroy();
      return;
    }
    void reset(socket).then((ok) => {
      if (!ok || socket.destroyed || this.full(key)) {
        socket.destroy();
        return;
      }
      const list = this.sessions.get(key) ?? [];
      const entry: Idle = { session, timer: setTimeout(() => this.drop(key, entry), IDLE_MS).unref() };
      socket.removeAllListeners();
      socket.on("error", () => this.drop(key, entry));
      socket.on("close", () => this.drop(key, entry));
      list.push(entry);
      this.sessions.set(key, list);
      this.count++;
    });
  }

  /** Closes every idle session (a fault changed, or the proxy stops). */
  clear(): void {
    for (const [key, list] of this.sessions) for (const entry of [...list]) this.drop(key, entry);
  }

  private full(key: string): boolean {
    return (this.sessions.get(key)?.length ?? 0) >= MAX_IDLE_PER_KEY || this.count >= MAX_IDLE;
  }

  private drop(key: string, entry: Idle): void {
    const list = this.sessions.get(key);
    const i = list?.indexOf(entry) ?? -1;
    if (i >= 0) {
      list!.splice(i, 1);
      this.count--;
      clearTimeout(entry.timer);
    }
    entry.session.socket.destroy();
  }
}

const DISCARD_ALL = typedMessage("Q", cstring("DISCARD ALL"));

/** DISCARD ALL on an idle session; true once it is idle again without an error. */
function reset(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const reader = new MessageReader(false);
    let failed = false;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.removeListener("data", onData);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), RESET_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        if (m.type === "E") failed = true;
        if (m.type === "Z") return done(!failed && m.body[0] === 0x49 /* 'I' */);
      }
    };
    socket.on("data", onData);
    socket.once("close", () => done(false));
    socket.resume();
    socket.write(DISCARD_ALL);
  });
}
