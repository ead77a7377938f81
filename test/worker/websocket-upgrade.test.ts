// Neon's driver over WebSocket when the upgrade never answers (a proxy that accepts the connection
// and says nothing): the connect timeout must end the wait with a 503. The driver's timeout closes
// the socket and waits for its "close"; a socket closed before it opened used to report none.
import { describe, expect, it } from "vitest";
import { callWith } from "./helpers";
import { onHyperdrive } from "./paths";
import { stack } from "./stack";

describe.skipIf(onHyperdrive)("a WebSocket upgrade that never answers", () => {
  it("ends in 503 + Retry-After after DB_CONNECT_TIMEOUT_MS", async () => {
    const started = Date.now();
    const res = await callWith(
      { NEON_LOCAL_PROXY: stack().silentNeonProxy, DB_CONNECT_TIMEOUT_MS: "1000" },
      "/health?need=transaction",
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);
});
