// Just enough of the Postgres wire protocol for the tunnel: message framing (to spot
// Terminate, the startup packet and auth requests) and the few messages the proxy
// writes itself. Everything else passes through as opaque bytes.

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_V3 = 196608;

export interface WireMessage {
  /** Type byte as a character; "" for untyped startup-phase packets. */
  type: string;
  /** The whole message, header included, ready to forward. */
  bytes: Buffer;
  /** The message body after the header. */
  body: Buffer;
}

/** The largest message the proxy frames (Postgres' own limit for a query is 1 GB). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a byte stream into whole messages. Frontend streams start untyped (startup,
 * SSLRequest, CancelRequest: int32 length first) until the startup packet has passed.
 * Linear in the bytes pushed: chunks of an unfinished message are kept as a list and joined once
 * the message is whole (not concatenated on every chunk), and a message above
 * MAX_MESSAGE_BYTES is an error rather than an unbounded buffer.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private untyped: boolean) {}

  /** Switches to typed framing (after the startup packet). */
  typed(): void {
    this.untyped = false;
  }

  push(chunk: Buffer): WireMessage[] {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const messages: WireMessage[] = [];
    for (;;) {
      const length = this.nextLength();
      if (length === undefined || this.size < length) break;
      const bytes = this.take(length);
      const message = this.untyped
        ? { type: "", bytes, body: bytes.subarray(4) }
        : { type: String.fromCharCode(bytes[0]!), bytes, body: bytes.subarray(5) };
      messages.push(message);
      if (message.type === "" && message.body.length >= 4 && message.body.readInt32BE(0) === PROTOCOL_V3)
        this.untyped = false;
    }
    return messages;
  }

  /** Bytes received that do not yet form a whole message. */
  rest(): Buffer {
    return this.take(this.size);
  }

  /** The whole length of the next message, once its header is in; undefined before. */
  private nextLength(): number | undefined {
    const headerBytes = this.untyped ? 4 : 5;
    if (this.size < headerBytes) return undefined;
    const header = this.peek(headerBytes);
    if (this.untyped) {
      const length = header.readInt32BE(0);
      if (length < 8 || length > 10_000) throw new Error("invalid startup packet length");
      return length;
    }
    const length = header.readInt32BE(1);
    if (length < 4) throw new Error("invalid message length");
    if (length > MAX_MESSAGE_BYTES) throw new Error(`message larger than ${MAX_MESSAGE_BYTES} bytes`);
    return 1 + length;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let bytes: Buffer;
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      bytes = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      bytes = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.size -= n;
    return bytes;
  }
}

/** Parameters of a StartupMessage body (after the length): protocol, then key\0value\0…\0. */
export function parseStartupParams(body: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  const parts = body.subarray(4).toString("utf8").split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (parts[i] === "") break;
    params[parts[i]!] = parts[i + 1]!;
  }
  return params;
}

export function typedMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export function cstring(value: string): Buffer {
  return Buffer.concat([Buffer.from(value, "utf8"), Buffer.from([0])]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value, 0);
  return b;
}

/** AuthenticationCleartextPassword ('R', code 3). */
export function authCleartextPasswordRequest(): Buffer {
  return typedMessage("R", int32(3));
}

export function passwordMessage(password: string): Buffer {
  return typedMessage("p", cstring(password));
}

export function saslInitialResponse(mechanism: string, response: string): Buffer {
  const data = Buffer.from(response, "utf8");
  return typedMessage("p", Buffer.concat([cstring(mechanism), int32(data.length), data]));
}

export function saslResponse(response: string): Buffer {
  return typedMessage("p", Buffer.from(response, "utf8"));
}

export function errorResponse(fields: { severity: string; code: string; message: string }): Buffer {
  return typedMessage(
    "E",
    Buffer.concat([
      Buffer.from("S"),
      cstring(fields.severity),
      Buffer.from("V"),
      cstring(fields.severity),
      Buffer.from("C"),
      cstring(fields.code),
      Buffer.from("M"),
      cstring(fields.message),
      Buffer.from([0]),
    ]),
  );
}

/** Reads the 'M' (message) field of an ErrorResponse body. */
export function errorMessageText(body: Buffer): string {
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset]!);
    const end = body.indexOf(0, offset + 1);
    if (end < 0) break;
    if (code === "M") return body.toString("utf8", offset + 1, end);
    offset = end + 1;
  }
  return "error";
}
