// Injectable faults; all off by default.
import { setTimeout as sleep } from "node:timers/promises";

export interface LocalNeonFaults {
  /** Added per database round trip (simulated Worker↔Neon RTT): each client→server
   *  flight on a WebSocket, the WebSocket's HTTP upgrade, and each HTTP request, is held
   *  this long. (TCP and TLS handshakes are not simulated: the local proxy is plain ws/http.) */
  latencyMs: number;
  /** Delay before the first connection after the compute has been idle (cold start). */
  wakeupDelayMs: number;
  /** No connection for this long → idle (the next one pays wakeupDelayMs). Neon suspends after 5 min. */
  idleAfterMs: number;
  /** Compute unreachable: WS gets a FATAL "Couldn't connect to compute node" and is
   *  closed; HTTP gets 500 with that message, as Neon's proxy answers. */
  refuseConnections: boolean;
  /** WebSocket only: after N client messages have been forwarded on a connection, the
   *  next one cuts it (TCP destroyed, socket terminated without a close frame). 0 = off. */
  cutAfterMessages: number;
  /** WebSocket and TCP: when Postgres confirms a COMMIT, cut the connection instead of passing the
   *  confirmation on. The transaction is committed; the client only sees the connection drop. */
  cutAfterCommit: boolean;
  /** WebSocket and TCP: a client's COMMIT is never delivered, and from then on the connection
   *  carries nothing either way while both ends stay open: a request that hung mid-transaction.
   *  Postgres holds the transaction (and its locks) until its own timeouts end the session. */
  freezeAtCommit: boolean;
}

export const NO_FAULTS: LocalNeonFaults = {
  latencyMs: 0,
  wakeupDelayMs: 0,
  idleAfterMs: 300_000,
  refuseConnections: false,
  cutAfterMessages: 0,
  cutAfterCommit: false,
  freezeAtCommit: false,
};

/** Validates a partial fault object (from code or from the JSON endpoint). */
export function parseFaults(input: unknown): Partial<LocalNeonFaults> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error("faults must be a JSON object");
  const out: Partial<LocalNeonFaults> = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "latencyMs":
      case "wakeupDelayMs":
      case "idleAfterMs":
      case "cutAfterMessages":
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
          throw new Error(`${key} must be a number >= 0`);
        out[key] = value;
        break;
      case "refuseConnections":
      case "cutAfterCommit":
      case "freezeAtCommit":
        if (typeof value !== "boolean") throw new Error(`${key} must be a boolean`);
        out[key] = value;
        break;
      default:
        throw new Error(`unknown fault: ${key}`);
    }
  }
  return out;
}

/** The compute's sleep/wake state, driven by connection activity. */
export class ComputeActivity {
  private active = 0;
  /** Starts idle: a fresh compute is suspended until the first connection wakes it. */
  private idleSince = -Infinity;
  private waking: Promise<void> | undefined;

  constructor(
    private readonly faults: () => LocalNeonFaults,
    private readonly onWake: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Suspends the compute now, as Neon's "suspend compute" does: the next connection wakes it. */
  suspend(): void {
    if (this.active === 0) this.idleSince = -Infinity;
  }

  /** Marks a connection/request as started; resolves once the compute is awake. */
  async begin(): Promise<void> {
    const { wakeupDelayMs, idleAfterMs } = this.faults();
    const idle = this.active === 0 && this.now() - this.idleSince >= idleAfterMs;
    this.active++;
    if (this.waking) return this.waking;
    if (idle && wakeupDelayMs > 0) {
      this.onWake();
      this.waking = sleep(wakeupDelayMs).then(() => {
        this.waking = undefined;
      });
      return this.waking;
    }
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.idleSince = this.now();
  }
}
