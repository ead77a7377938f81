// GET  /_local-neon/stats        → counters
// POST /_local-neon/stats/reset  → zero them
// GET  /_local-neon/faults       → current faults
// POST /_local-neon/faults       → merge a partial faults object (JSON body); {"reset":true} → all off
// POSTs must say Content-Type: application/json, which a web page cannot send cross-site without a
// preflight (and the request guard refuses anything with an Origin).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CounterSet } from "./counters.js";
import { type LocalNeonFaults, parseFaults } from "./faults.js";
import { readBody, sendJson } from "./http-util.js";

export const CONTROL_PREFIX = "/_local-neon/";

export interface ControlContext {
  counters: CounterSet;
  faults(): LocalNeonFaults;
  setFaults(f: Partial<LocalNeonFaults>): void;
  resetFaults(): void;
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: ControlContext,
): Promise<void> {
  const route = `${req.method} ${path}`;
  if (req.method === "POST" && !/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return sendJson(res, 415, { message: "control requests must be Content-Type: application/json" });
  }
  if (route === "GET /_local-neon/stats") return sendJson(res, 200, ctx.counters.snapshot());
  if (route === "POST /_local-neon/stats/reset") {
    ctx.counters.reset();
    return sendJson(res, 200, ctx.counters.snapshot());
  }
  if (route === "GET /_local-neon/faults") return sendJson(res, 200, ctx.faults());
  if (route === "POST /_local-neon/faults") {
    try {
      const body = JSON.parse((await readBody(req, 64 * 1024)).toString("utf8") || "{}") as Record<string, unknown>;
      if (body.reset === true) {
        ctx.resetFaults();
        delete body.reset;
      }
      ctx.setFaults(parseFaults(body));
      return sendJson(res, 200, ctx.faults());
    } catch (error) {
      return sendJson(res, 400, { message: (error as Error).message });
    }
  }
  sendJson(res, 404, { message: `no such endpoint: ${route}` });
}
