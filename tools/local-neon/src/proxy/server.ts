// The HTTP server: routes /sql, the control endpoint and WebSocket upgrades, each behind the
// request guard (no web page may reach the local Neon: request-guard.ts).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { type Allowlist, notAllowed, splitHostPort } from "./allowlist.js";
import { CONTROL_PREFIX, type ControlContext, handleControl } from "./control-endpoint.js";
import { sendJson } from "./http-util.js";
import { runTunnel, type TunnelContext, webSocketClient } from "./pg-tunnel.js";
import { errorResponse } from "./pg-wire.js";
import { type RequestGuardOptions, refusalReason } from "./request-guard.js";
import { handleSql, type SqlContext } from "./sql-over-http.js";

export type ServerContext = SqlContext &
  TunnelContext &
  ControlContext & {
    allowlist: Allowlist;
    /** host:port used when a WebSocket URL carries no ?address= */
    defaultAddress: { host: string; port: number };
    guard: RequestGuardOptions;
  };

const WEBSOCKET_PATHS = new Set(["/v2", "/v1", "/"]);

export function createLocalNeonServer(ctx: ServerContext): { server: Server; wss: WebSocketServer } {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const refused = refusalReason(req, ctx.guard);
    if (refused) {
      ctx.counters.add("refused");
      sendJson(res, 403, { message: refused });
    } else if (path === "/sql" && req.method === "POST") {
      void handleSql(req, res, ctx);
    } else if (path.startsWith(CONTROL_PREFIX)) {
      void handleControl(req, res, path, ctx);
    } else {
      sendJson(res, 404, { message: `not found: ${req.method} ${path}` });
    }
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://local");
    const refused = refusalReason(req, ctx.guard);
    if (refused) {
      ctx.counters.add("refused");
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(refused)}\r\n\r\n${refused}`,
      );
      return;
    }
    if (!WEBSOCKET_PATHS.has(url.pathname)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    // The upgrade is a flight of its own (request → 101), as on Neon: it pays the injected RTT.
    const { latencyMs } = ctx.faults();
    if (latencyMs > 0) {
      setTimeout(() => {
        if (!socket.destroyed) upgrade(req, socket, head, url);
      }, latencyMs);
    } else {
      upgrade(req, socket, head, url);
    }
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {});
      const address = url.searchParams.get("address");
      let target = ctx.defaultAddress;
      try {
        if (address) target = splitHostPort(address);
      } catch {
        ctx.counters.add("refused");
        ws.close(1008, "invalid address parameter");
        return;
      }
      const routed = ctx.allowlist.route(target.host, target.port);
      if (!routed) {
        // Never an open relay: refuse with a reason the client can read.
        // An ErrorResponse first, as Neon's proxy answers: the driver reports its SQLSTATE and reason.
        ctx.counters.add("refused");
        const refusal = notAllowed(target.host, target.port);
        ws.send(errorResponse(refusal));
        ws.close(1008, refusal.message.slice(0, 120));
        return;
      }
      runTunnel(webSocketClient(ws), routed, ctx);
    });
  }

  return { server, wss };
}
