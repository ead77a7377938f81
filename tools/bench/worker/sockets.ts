// GET /__bench/sockets: whether Neon's driver in this isolate already opens its WebSockets the
// app's way (src/db/neon-websocket.ts). The setting is the isolate's, and only the app's adapter
// factory sets it: a raw twin that ran first in a fresh isolate used to get the runtime's own
// WebSocket, so its cold figures measured another socket than the app's
// (tools/bench/test/twins.test.ts).
import { neonConfig } from "@neondatabase/serverless";
import { openWebSocketsWithFetch } from "../../../src/db/neon-websocket";
import type { App } from "./twins";

export function mountSockets(app: App): void {
  app.get("/__bench/sockets", (c) => {
    const before = neonConfig.webSocketConstructor;
    openWebSocketsWithFetch(); // sets the app's: the same value when it was set already
    return c.json({ appSockets: before !== undefined && before === neonConfig.webSocketConstructor });
  });
}
