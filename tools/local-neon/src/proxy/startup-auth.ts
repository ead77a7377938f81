// Neon-like client authentication for the WebSocket path.
//
// Neon's proxy terminates client auth: it answers the startup packet with
// AuthenticationCleartextPassword, takes the password, and only then connects to the
// compute and authenticates there itself. That is what makes the driver's default
// `pipelineConnect: "password"` work (startup + password sent in one flight, connect
// costs 1 round trip) whatever auth the compute uses.
//
// We do the same: the tunnel asks the client for a cleartext password (pg-tunnel.ts),
// then this module opens the TCP connection to the upstream, replays the client's
// startup packet and answers whatever the upstream asks: cleartext, MD5 or SCRAM-SHA-256.
// An upstream that asks nothing (PGlite, trust) would accept any password, so then we
// compare the client's password with the one in the configured upstream URL ourselves.
// From AuthenticationOk on, everything is forwarded byte for byte.
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";
import { pgSasl, type SaslSession } from "./pg-sasl.js";
import {
  errorResponse,
  MessageReader,
  passwordMessage,
  saslInitialResponse,
  saslResponse,
  type WireMessage,
} from "./pg-wire.js";

export class UpstreamAuthError extends Error {
  /** Bytes to send to the client (an ErrorResponse) before closing. */
  constructor(
    message: string,
    readonly clientBytes: Buffer,
  ) {
    super(message);
  }
}

export interface AuthenticatedUpstream {
  socket: Socket;
  /** AuthenticationOk and everything the upstream sent after it so far. */
  backendBytes: Buffer;
}

export function passwordFailed(user: string): Buffer {
  return errorResponse({
    severity: "FATAL",
    code: "28P01",
    message: `password authentication failed for user "${user}"`,
  });
}

function md5Hex(data: Buffer | string): string {
  return createHash("md5").update(data).digest("hex");
}

export function connectAndAuthenticate(opts: {
  host: string;
  port: number;
  startupPacket: Buffer;
  user: string;
  password: string;
  /** Password to enforce when the upstream does not ask for one; undefined = unknown user (refused then). */
  expectedPassword: string | undefined;
  /** TCP connect + authentication must finish within this, or the connect fails. */
  timeoutMs: number;
}): Promise<AuthenticatedUpstream> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);
    const reader = new MessageReader(false);
    let askedForPassword = false;
    let sasl: SaslSession | undefined;
    let settled = false;
    let chain = Promise.resolve();

    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(error);
    };

    socket.once("connect", () => socket.write(opts.startupPacket));
    // An upstream that accepts and never answers (or never accepts) would hold the client forever.
    const timer = setTimeout(
      () =>
        fail(
          new UpstreamAuthError(
            `upstream: no answer within ${opts.timeoutMs} ms`,
            errorResponse({ severity: "FATAL", code: "08006", message: "Couldn't connect to compute node" }),
          ),
        ),
      opts.timeoutMs,
    );
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    socket.on("error", (error) =>
      fail(
        new UpstreamAuthError(
          `upstream: ${error.message}`,
          errorResponse({
            severity: "FATAL",
            code: "08006",
            message: "Couldn't connect to compute node",
          }),
        ),
      ),
    );
    socket.on("close", () =>
      fail(
        new UpstreamAuthError(
          "upstream closed during authentication",
          errorResponse({
            severity: "FATAL",
            code: "08006",
            message: "Couldn't connect to compute node",
          }),
        ),
      ),
    );

    const onData = (chunk: Buffer) => {
      let messages: WireMessage[];
      try {
        messages = reader.push(chunk);
      } catch (error) {
        return fail(error as Error);
      }
      // SCRAM steps are async: keep the messages in order.
      chain = chain
        .then(async () => {
          for (let i = 0; i < messages.length && !settled; i++) {
            const message = messages[i]!;
            if (message.type === "E") {
              return fail(new UpstreamAuthError("upstream refused authentication", message.bytes));
            }
            if (message.type !== "R") continue; // e.g. a NoticeResponse before auth: drop
            const code = message.body.readInt32BE(0);
            switch (code) {
              case 0: {
                // The upstream checked nothing (PGlite, trust): check every user here; one we
                // have no password for is refused.
                if (
                  !askedForPassword &&
                  (opts.expectedPassword === undefined || opts.password !== opts.expectedPassword)
                ) {
                  return fail(new UpstreamAuthError("wrong password", passwordFailed(opts.user)));
                }
                settled = true;
                // Paused until the tunnel attaches its own reader, so no bytes are lost.
                socket.pause();
                socket.removeListener("data", onData);
                socket.removeAllListeners("close");
                socket.removeAllListeners("error");
                const after = messages.slice(i).map((m) => m.bytes);
                resolve({ socket, backendBytes: Buffer.concat([...after, reader.rest()]) });
                return;
              }
              case 3:
                askedForPassword = true;
                socket.write(passwordMessage(opts.password));
                break;
              case 5: {
                askedForPassword = true;
                const salt = message.body.subarray(4, 8);
                const inner = md5Hex(opts.password + opts.user);
                socket.write(passwordMessage(`md5${md5Hex(Buffer.concat([Buffer.from(inner), salt]))}`));
                break;
              }
              case 10: {
                askedForPassword = true;
                const mechanisms = message.body.subarray(4).toString("utf8").split("\0").filter(Boolean);
                sasl = pgSasl.startSession(mechanisms);
                socket.write(saslInitialResponse(sasl.mechanism, sasl.response));
                break;
              }
              case 11:
                if (!sasl) return fail(new Error("SASL continue without a session"));
                await pgSasl.continueSession(sasl, opts.password, message.body.subarray(4).toString("utf8"));
                socket.write(saslResponse(sasl.response));
                break;
              case 12:
                if (!sasl) return fail(new Error("SASL final without a session"));
                pgSasl.finalizeSession(sasl, message.body.subarray(4).toString("utf8"));
                break;
              default:
                return fail(
                  new UpstreamAuthError(
                    `unsupported upstream auth method ${code}`,
                    errorResponse({
                      severity: "FATAL",
                      code: "28000",
                      message: `unsupported authentication method ${code} on the local database`,
                    }),
                  ),
                );
            }
          }
        })
        .catch((error: Error) => fail(new UpstreamAuthError(error.message, passwordFailed(opts.user))));
    };
    socket.on("data", onData);
  });
}
