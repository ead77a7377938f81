// One WebSocket ↔ one TCP connection to the upstream Postgres, carrying raw wire-protocol
// bytes both ways. The tunnel only parses message framing: to take over the auth
// exchange (startup-auth.ts), to spot Terminate, and for the fault/counter hooks.
import { connect, type Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import type { CounterSet } from "./counters.js";
import { RoundTripTracker } from "./counters.js";
import { DelayQueue } from "./delay-queue.js";
import type { ComputeActivity, LocalNeonFaults } from "./faults.js";
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
import { connectAndAuthenticate, UpstreamAuthError } from "./startup-auth.js";

export interface TunnelContext {
  counters: CounterSet;
  faults(): LocalNeonFaults;
  activity: ComputeActivity;
  expectedPassword(user: string): string | undefined;
  log(line: string): void;
}

// Pause the upstream when this much is waiting to go out on the WebSocket.
const WS_HIGH_WATER = 1 << 20;

type Phase = "startup" | "password" | "connecting" | "tunnel" | "closed";

export function runTunnel(ws: WebSocket, target: { host: string; port: number }, ctx: TunnelContext): void {
  ctx.counters.add("wsOpened");
  ctx.counters.add("wsOpen");
  const tracker = new RoundTripTracker(() => ctx.counters.add("wsRoundTrips"));
  const delay = new DelayQueue();
  const reader = new MessageReader(true);
  let phase: Phase = "startup";
  let upstream: Socket | undefined;
  let startupPacket: Buffer | undefined;
  let startupParams: Record<string, string> = {};
  const pending: Buffer[] = []; // client messages that arrive while we connect upstream
  let clientMessages = 0;
  const activityStarted = ctx.activity.begin();
  // Read through a function: the phase may change while we await.
  const isClosed = () => phase === "closed";

  const sendToClient = (bytes: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    tracker.serverReplied();
    ws.send(bytes, () => {
      if (upstream?.isPaused() && ws.bufferedAmount < WS_HIGH_WATER / 2) upstream.resume();
    });
    if (upstream && ws.bufferedAmount > WS_HIGH_WATER) upstream.pause();
  };

  const closeClient = (code: number, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason.slice(0, 120));
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
      ws.pause();
      upstream.once("drain", () => ws.resume());
    }
  };

  const attachUpstream = (socket: Socket, backendBytes: Buffer) => {
    upstream = socket;
    phase = "tunnel";
    ctx.counters.add("upstreamOpen");
    socket.on("data", (chunk: Buffer) => sendToClient(chunk));
    socket.on("close", () => {
      ctx.counters.add("upstreamOpen", -1);
      phase = "closed";
      closeClient(1000, "upstream closed");
    });
    socket.on("error", (error) => {
      ctx.log(`upstream error: ${error.message}`);
      closeClient(1011, "upstream error");
    });
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
    try {
      const result = await connectAndAuthenticate({
        host: target.host,
        port: target.port,
        startupPacket: startupPacket!,
        user,
        password,
        expectedPassword: ctx.expectedPassword(user),
      });
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
    writeUpstream(bytes);
    if (bytes[0] === 0x58 /* 'X' Terminate */) endUpstream();
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
      else if (phase === "connecting") pending.push(message.bytes);
      else if (phase === "startup") {
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

  ws.on("message", (data: RawData) => {
    if (phase === "closed") return;
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const { cutAfterMessages, latencyMs } = ctx.faults();
    clientMessages++;
    if (cutAfterMessages > 0 && clientMessages > cutAfterMessages) {
      ctx.counters.add("cut");
      phase = "closed";
      upstream?.destroy();
      ws.terminate();
      return;
    }
    tracker.clientSent();
    delay.push(latencyMs, () => handleMessages(chunk));
  });

  ws.on("close", () => {
    phase = "closed";
    delay.clear();
    endUpstream();
    ctx.counters.add("wsClosed");
    ctx.counters.add("wsOpen", -1);
    void activityStarted.then(() => ctx.activity.end());
  });

  ws.on("error", (error) => {
    ctx.log(`websocket error: ${error.message}`);
    upstream?.destroy();
  });
}
