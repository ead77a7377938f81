// One client connection (a WebSocket, as Neon's driver opens; or plain TCP, as pg through
// Hyperdrive opens) ↔ one TCP connection to the upstream Postgres, carrying raw wire-protocol
// bytes both ways. The tunnel only parses message framing: to take over the auth exchange
// (startup-auth.ts), to spot Terminate, and for the fault/counter hooks.
import { connect, type Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import type { CounterSet } from "./counters.js";
import { RoundTripTracker } from "./counters.js";
import { DelayQueue } from "./delay-queue.js";
import type { ComputeActivity, LocalNeonFaults } from "./faults.js";
import { OriginPool } from "./origin-pool.js";
import {
  authCleartextPasswordRequest,
  CANCEL_REQUEST_CODE,
  errorResponse,
  GSSENC_REQUEST_CODE,
  MessageReader,
  PROTOCOL_V3,
  parseStartupParams,
  SSL_REQUEST_CODE,
  type WireMessage,
} from "./pg-wire.js";
import { connectAndAuthenticate, passwordFailed, UpstreamAuthError } from "./startup-auth.js";

export interface TunnelContext {
  counters: CounterSet;
  faults(): LocalNeonFaults;
  activity: ComputeActivity;
  expectedPassword(user: string): string | undefined;
  /** A connect (TCP + auth) to the upstream that takes longer fails as "Couldn't connect". */
  upstreamConnectTimeoutMs: number;
  /** Sessions the TCP (Hyperdrive) endpoint reuses, as Hyperdrive does (origin-pool.ts). */
  origins?: OriginPool;
  log(line: string): void;
}

// Pause the upstream when this much is waiting to go out to the client.
const HIGH_WATER = 1 << 20;
// What a client may send while its upstream connection is being opened (the driver pipelines
// its first query behind the password). More is a protocol abuse: the connection is closed.
const MAX_PENDING_BYTES = 1 << 20;

type Phase = "startup" | "password" | "connecting" | "tunnel" | "closed";

/** The client side of a tunnel: what it needs of a WebSocket or a TCP socket. */
export interface TunnelClient {
  /** "ws" or "tcp": which counters it moves (wsOpened / tcpOpened …). */
  kind: "ws" | "tcp";
  isOpen(): boolean;
  /** Bytes queued to the client and not yet sent. */
  buffered(): number;
  send(bytes: Buffer, sent: () => void): void;
  /** A clean close; over TCP the code and reason have no wire form. */
  close(code: number, reason: string): void;
  /** Dropped at once, without a goodbye. */
  terminate(): void;
  pause(): void;
  resume(): void;
  onMessage(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  onError(listener: (error: Error) => void): void;
}

/** A WebSocket from the `ws` server as a tunnel client. */
export function webSocketClient(ws: WebSocket): TunnelClient {
  return {
    kind: "ws",
    isOpen: () => ws.readyState === ws.OPEN,
    buffered: () => ws.bufferedAmount,
    send: (bytes, sent) => ws.send(bytes, () => sent()),
    close(code, reason) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason.slice(0, 120));
    },
    terminate: () => ws.terminate(),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    onMessage: (listener) =>
      ws.on("message", (data: RawData) =>
        listener(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)),
      ),
    onClose: (listener) => ws.on("close", () => listener()),
    onError: (listener) => ws.on("error", listener),
  };
}

/** A plain TCP connection as a tunnel client. */
export function tcpClient(socket: Socket): TunnelClient {
  return {
    kind: "tcp",
    isOpen: () => !socket.destroyed && socket.writable,
    buffered: () => socket.writableLength,
    send: (bytes, sent) => void socket.write(bytes, () => sent()),
    close: () => void socket.end(),
    terminate: () => void socket.destroy(),
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    onMessage: (listener) => void socket.on("data", listener),
    onClose: (listener) => void socket.on("close", () => listener()),
    onError: (listener) => void socket.on("error", listener),
  };
}

/**
 * Latency per client flight. Over WebSocket every flight pays the injected RTT (the Worker talks
 * to Neon across the internet). Over TCP the model is Hyperdrive's: connection setup (startup,
 * auth) happens inside Cloudflare's data centre against a pooled origin connection (origin-pool.ts),
 * so only flights once the session is up (queries) pay the RTT to the database.
 */
function flightLatencyMs(kind: TunnelClient["kind"], phase: Phase, latencyMs: number): number {
  return kind === "tcp" && phase !== "tunnel" ? 0 : latencyMs;
}

/** No fault that needs a connection of its own (a refusal, a wake-up, a cut, a freeze) is set. */
const quiet = (f: LocalNeonFaults) =>
  !f.refuseConnections && f.wakeupDelayMs === 0 && f.cutAfterMessages === 0 && !f.cutAfterCommit && !f.freezeAtCommit;

export function runTunnel(client: TunnelClient, target: { host: string; port: number }, ctx: TunnelContext): void {
  const kind = client.kind;
  ctx.counters.add(`${kind}Opened`);
  ctx.counters.add(`${kind}Open`);
  const tracker = new RoundTripTracker(() => ctx.counters.add(`${kind}RoundTrips`));
  const delay = new DelayQueue();
  const reader = new MessageReader(true);
  let phase: Phase = "startup";
  let upstream: Socket | undefined;
  let startupPacket: Buffer | undefined;
  let startupParams: Record<string, string> = {};
  const pending: Buffer[] = []; // client messages that arrive while we connect upstream
  let pendingBytes = 0;
  let clientMessages = 0;
  let frozen = false; // the freezeAtCommit fault fired: nothing passes any more
  // A pooled origin session (TCP only, no fault set): its key, the greeting its first client got,
  // the last transaction status the origin reported, and replies still owed (one per Query/Sync).
  const pooling = () => kind === "tcp" && ctx.origins !== undefined && quiet(ctx.faults());
  let originKey: string | undefined;
  let greeting: Buffer | undefined;
  const greetingParts: Buffer[] = [];
  const backend = new MessageReader(false);
  let status = "";
  let owed = 0;
  const activityStarted = ctx.activity.begin();
  // Read through a function: the phase may change while we await.
  const isClosed = () => phase === "closed";

  const sendToClient = (bytes: Buffer) => {
    if (!client.isOpen()) return;
    tracker.serverReplied();
    client.send(bytes, () => {
      if (upstream?.isPaused() && client.buffered() < HIGH_WATER / 2) upstream.resume();
    });
    if (upstream && client.buffered() > HIGH_WATER) upstream.pause();
  };

  const closeClient = (code: number, reason: string) => {
    client.close(code, reason);
  };

  const endUpstream = () => {
    if (!upstream || upstream.destroyed) return;
    upstream.end();
    // PGlite keeps the socket open after Terminate/FIN: don't wait for it.
    setTimeout(() => upstream?.destroy(), 200).unref();
  };

  const writeUpstream = (bytes: Buffer) => {
    if (!upstream || upstream.destroyed) return;
    if (!upstream.write(bytes)) {
      client.pause();
      upstream.once("drain", () => client.resume());
    }
  };

  /** Follows a pooled session's messages: its greeting, and whether it is idle with nothing owed. */
  const watchBackend = (chunk: Buffer) => {
    if (originKey === undefined) return;
    for (const m of backend.push(chunk)) {
      if (!greeting) greetingParts.push(m.bytes);
      if (m.type !== "Z") continue;
      status = String.fromCharCode(m.body[0]!);
      owed = Math.max(0, owed - 1);
      greeting ??= Buffer.concat(greetingParts.splice(0));
    }
  };

  /** Hands a pooled session back for the next client, if it is idle; false when it must close. */
  const releaseUpstream = (): boolean => {
    const socket = upstream;
    if (!socket || socket.destroyed || originKey === undefined || !greeting || status !== "I" || owed > 0) return false;
    if (frozen || !pooling()) return false;
    upstream = undefined;
    ctx.counters.add("upstreamOpen", -1);
    ctx.origins!.give(originKey, { socket, greeting });
    return true;
  };

  const attachUpstream = (socket: Socket, backendBytes: Buffer, reused = false) => {
    upstream = socket;
    phase = "tunnel";
    ctx.counters.add("upstreamOpen");
    const commits = new CommitWatch();
    socket.on("data", (chunk: Buffer) => {
      if (frozen) return;
      watchBackend(chunk);
      if (commits.seen(chunk) && ctx.faults().cutAfterCommit) {
        // The COMMIT is done in Postgres; the client never hears so (its reply is this chunk).
        ctx.counters.add("cut");
        phase = "closed";
        socket.destroy();
        client.terminate();
        return;
      }
      sendToClient(chunk);
    });
    socket.on("close", () => {
      ctx.counters.add("upstreamOpen", -1);
      phase = "closed";
      closeClient(1000, "upstream closed");
    });
    socket.on("error", (error) => {
      ctx.log(`upstream error: ${error.message}`);
      closeClient(1011, "upstream error");
    });
    if (!reused) watchBackend(backendBytes);
    if (backendBytes.length) sendToClient(backendBytes);
    for (const bytes of pending.splice(0)) forward(bytes);
    socket.resume();
  };

  const connectUpstream = async (password: string) => {
    await activityStarted; // wake-up delay, if the compute was idle
    if (isClosed()) return;
    if (ctx.faults().refuseConnections) {
      ctx.counters.add("refused");
      sendToClient(errorResponse({ severity: "FATAL", code: "08006", message: "Couldn't connect to compute node" }));
      closeClient(1011, "Couldn't connect to compute node");
      return;
    }
    const user = startupParams.user ?? "";
    // Neon's proxy checks the password itself before it dials anything (a pooler in between would
    // answer a wrong one with its own error, not Postgres's 28P01).
    const expected = ctx.expectedPassword(user);
    if (expected !== undefined && expected !== password) {
      sendToClient(passwordFailed(user));
      closeClient(1000, "authentication failed");
      return;
    }
    if (pooling()) {
      originKey = OriginPool.key(target, startupParams, password);
      const session = ctx.origins!.take(originKey);
      if (session) {
        greeting = session.greeting;
        status = "I";
        attachUpstream(session.socket, session.greeting, true);
        return;
      }
    }
    try {
      const result = await connectAndAuthenticate({
        host: target.host,
        port: target.port,
        startupPacket: startupPacket!,
        user,
        password,
        expectedPassword: ctx.expectedPassword(user),
        timeoutMs: ctx.upstreamConnectTimeoutMs,
      });
      if (kind === "tcp") ctx.counters.add("tcpUpstreamOpened");
      if (isClosed()) {
        result.socket.destroy();
        return;
      }
      attachUpstream(result.socket, result.backendBytes);
    } catch (error) {
      const bytes =
        error instanceof UpstreamAuthError
          ? error.clientBytes
          : errorResponse({ severity: "FATAL", code: "08006", message: "Couldn't connect to compute node" });
      sendToClient(bytes);
      closeClient(1000, "authentication failed");
    }
  };

  // A whole frontend message, in tunnel phase.
  const forward = (bytes: Buffer) => {
    if (bytes[0] === 0x58 /* 'X' Terminate */) {
      if (!releaseUpstream()) {
        writeUpstream(bytes);
        endUpstream();
      }
      return;
    }
    if (bytes[0] === 0x51 /* 'Q' Query */ || bytes[0] === 0x53 /* 'S' Sync */) owed++;
    writeUpstream(bytes);
  };

  const handleMessages = (chunk: Buffer) => {
    let messages: WireMessage[];
    try {
      messages = reader.push(chunk);
    } catch (error) {
      closeClient(1002, (error as Error).message);
      return;
    }
    for (const message of messages) {
      if (phase === "tunnel") forward(message.bytes);
      else if (phase === "connecting") {
        pendingBytes += message.bytes.length;
        if (pendingBytes > MAX_PENDING_BYTES) {
          closeClient(1009, "too much data before the connection was ready");
          return;
        }
        pending.push(message.bytes);
      } else if (phase === "startup") {
        const code = message.body.readInt32BE(0);
        if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
          sendToClient(Buffer.from("N")); // no TLS inside the tunnel
        } else if (code === CANCEL_REQUEST_CODE) {
          const cancel = connect({ host: target.host, port: target.port }, () => cancel.end(message.bytes));
          cancel.on("error", () => {});
          closeClient(1000, "cancel request sent");
        } else if (code === PROTOCOL_V3) {
          startupPacket = Buffer.from(message.bytes);
          startupParams = parseStartupParams(message.body);
          phase = "password";
          sendToClient(authCleartextPasswordRequest());
        } else {
          closeClient(1002, "unsupported protocol version");
        }
      } else if (phase === "password") {
        if (message.type !== "p") {
          closeClient(1002, "expected a password message");
          return;
        }
        phase = "connecting";
        void connectUpstream(message.body.toString("utf8").replace(/\0$/, ""));
      }
    }
  };

  client.onMessage((chunk) => {
    if (phase === "closed" || frozen) return;
    if (phase === "tunnel" && ctx.faults().freezeAtCommit && chunk.includes(COMMIT_QUERY)) {
      ctx.counters.add("frozen");
      frozen = true;
      return;
    }
    const { cutAfterMessages, latencyMs } = ctx.faults();
    clientMessages++;
    if (cutAfterMessages > 0 && clientMessages > cutAfterMessages) {
      ctx.counters.add("cut");
      phase = "closed";
      upstream?.destroy();
      client.terminate();
      return;
    }
    tracker.clientSent();
    delay.push(flightLatencyMs(kind, phase, latencyMs), () => handleMessages(chunk));
  });

  client.onClose(() => {
    phase = "closed";
    delay.clear();
    if (!releaseUpstream()) endUpstream();
    ctx.counters.add(`${kind}Closed`);
    ctx.counters.add(`${kind}Open`, -1);
    void activityStarted.then(() => ctx.activity.end());
  });

  client.onError((error) => {
    ctx.log(`${kind === "ws" ? "websocket" : "tcp"} error: ${error.message}`);
    upstream?.destroy();
  });
}

// Query "COMMIT" (simple protocol, as pg sends it): 'Q', int32 length 11, "COMMIT\0".
const COMMIT_QUERY = Buffer.from("Q\0\0\0\x0bCOMMIT\0", "latin1");
// CommandComplete "COMMIT": 'C', int32 length 11, "COMMIT\0".
const COMMIT_COMPLETE = Buffer.from("C\0\0\0\x0bCOMMIT\0", "latin1");

/** Spots a COMMIT's CommandComplete in the upstream's byte stream, across chunk boundaries. */
class CommitWatch {
  private tail: Buffer = Buffer.alloc(0);
  seen(chunk: Buffer): boolean {
    const window = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    this.tail = window.subarray(Math.max(0, window.length - (COMMIT_COMPLETE.length - 1)));
    return window.includes(COMMIT_COMPLETE);
  }
}
