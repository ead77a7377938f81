// What the local Neon holds per connection is bounded in time and memory, and the cut-after-COMMIT
// fault does what it says (the reliability suite's exactly-once trials rest on it).
import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { startLocalNeon } from "../src/proxy/local-neon.js";
import { MAX_MESSAGE_BYTES, MessageReader } from "../src/proxy/pg-wire.js";
import { BACKENDS, useBackend } from "./backends.js";

/** A message of `size` bytes ('Q' query), as a frontend would send it. */
function queryMessage(size: number): Buffer {
  const message = Buffer.alloc(size, 0x20);
  message.write("Q", 0, "latin1");
  message.writeInt32BE(size - 1, 1);
  return message;
}

/** A startup message with these parameters, then the password "p", as the driver pipelines them. */
function sendLogin(ws: WebSocket, params: Record<string, string>): void {
  const pairs = Object.entries(params)
    .map(([key, value]) => `${key}\0${value}\0`)
    .join("");
  const startup = Buffer.alloc(8 + Buffer.byteLength(pairs) + 1);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  startup.write(pairs, 8, "latin1");
  ws.send(startup);
  ws.send(Buffer.from("p\0\0\0\x06p\0", "latin1"));
}

describe("message framing", () => {
  it("is linear: a message arriving in 2,000 chunks is joined once, not on every chunk", () => {
    const reader = new MessageReader(false);
    const message = queryMessage(2_000 * 512);
    const concat = vi.spyOn(Buffer, "concat");
    let framed = 0;
    for (let offset = 0; offset < message.length; offset += 512) {
      framed += reader.push(message.subarray(offset, offset + 512)).length;
    }
    expect(framed).toBe(1);
    expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    concat.mockRestore();
  });

  it("refuses a message above MAX_MESSAGE_BYTES from its header, before buffering it", () => {
    const header = Buffer.alloc(5);
    header.write("Q", 0, "latin1");
    header.writeInt32BE(MAX_MESSAGE_BYTES + 1, 1);
    expect(() => new MessageReader(false).push(header)).toThrow(/larger than/);
  });
});

describe("an upstream that accepts and never answers", () => {
  it("fails the connect after upstreamConnectTimeoutMs, over WebSocket and over HTTP", async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const upstream = `postgres://u:p@127.0.0.1:${port}/db`;
    const neon = await startLocalNeon({ upstream, upstreamConnectTimeoutMs: 300 });
    try {
      const started = Date.now();
      const http = await fetch(`${neon.httpUrl}/sql`, {
        method: "POST",
        headers: { "Neon-Connection-String": upstream },
        body: JSON.stringify({ query: "SELECT 1", params: [] }),
      });
      expect(http.status).toBeGreaterThanOrEqual(400);
      expect(await http.text()).toMatch(/Couldn't connect to compute node|timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);

      const reply = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${neon.port}/v2`);
        const received: Buffer[] = [];
        ws.on("open", () => {
          sendLogin(ws, { user: "u" });
        });
        ws.on("message", (data: Buffer) => received.push(data));
        ws.on("close", () => resolve(Buffer.concat(received).toString("latin1")));
      });
      expect(reply).toContain("Couldn't connect to compute node");
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await neon.stop();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe.each(BACKENDS)("over $kind", ({ kind, skip }) => {
  const b = useBackend(kind, skip);
  const test = skip ? it.skip : it;

  test("a client that floods before its connection is ready is closed (1009), not buffered", async () => {
    b.proxy.setFaults({ wakeupDelayMs: 1_000, idleAfterMs: 0 });
    b.proxy.suspendCompute();
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${b.proxy.port}/v2`);
      ws.on("error", () => {});
      ws.on("open", () => {
        sendLogin(ws, { user: "postgres", database: "x" });
        // 2 MiB of queries while the (sleeping) compute wakes up.
        for (let i = 0; i < 32; i++) ws.send(queryMessage(64 * 1024));
      });
      ws.on("close", (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(1009);
  });

  test("cutAfterCommit: the COMMIT lands, the client only sees its connection drop", async () => {
    await b.direct.query("CREATE TABLE IF NOT EXISTS commit_cut (id int PRIMARY KEY)");
    b.proxy.setFaults({ cutAfterCommit: true });
    type SqlClient = { connect(): Promise<unknown>; query(text: string, values?: unknown[]): Promise<unknown> };
    const clients: SqlClient[] = [b.newClient(), b.newTcpClient()];
    for (const client of clients) {
      const id = Math.floor(Math.random() * 1e9);
      await client.connect();
      await client.query("BEGIN");
      await client.query("INSERT INTO commit_cut VALUES ($1)", [id]);
      await expect(client.query("COMMIT")).rejects.toBeDefined();
      const { rows } = await b.direct.query("SELECT count(*)::int AS n FROM commit_cut WHERE id = $1", [id]);
      expect(rows[0].n).toBe(1);
    }
    expect(b.proxy.counters().cut).toBe(2);
  });
});
