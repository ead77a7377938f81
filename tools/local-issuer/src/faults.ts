// Broken key endpoints, each at its own path so tests can point a Worker at one and leave the real
// JWKS alone: what a provider's outage, an HTML error page or a moved URL look like to a verifier.
import type { ServerResponse } from "node:http";
import { sendJson } from "@starter/local-neon";

export const FAULT_NAMES = ["500", "hang", "garbage", "redirect"] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const faultPath = (name: FaultName): string => `/faults/${name}/jwks.json`;

/** Answers with `fault`; `realJwksUrl` is where the redirect points (the request's query kept). */
export function sendFault(res: ServerResponse, fault: FaultName, realJwksUrl: string): void {
  switch (fault) {
    case "500":
      sendJson(res, 500, { message: "injected fault: the key endpoint failed" });
      return;
    case "hang":
      // No answer at all: the client's timeout has to end it (stop() closes the socket).
      return;
    case "garbage": {
      // Labelled JSON, as a misconfigured proxy's page can be, so a client must really parse it.
      const body = "<html><body>502 Bad Gateway</body></html>";
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case "redirect":
      res.writeHead(302, { Location: realJwksUrl, "Content-Length": 0 });
      res.end();
  }
}
