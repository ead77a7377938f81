// The local Neon's password is public (the README prints it), so no web page may reach it: a page
// can send cross-site requests and WebSocket upgrades to 127.0.0.1, and through DNS rebinding make
// its own host name point there. Browsers always send Origin on those, and the Host a rebinding
// page reaches us under is its own name. The Worker, Node drivers and curl send no Origin and a
// loopback Host. Anything else is refused unless the allow-lists name it.
import type { IncomingMessage } from "node:http";
// The Worker's own dev-server Host check (src/middleware/host-check.ts) uses the same rule.
import { isLocalHost } from "../../../../src/lib/loopback.js";

export interface RequestGuardOptions {
  /** Origins (scheme://host[:port]) allowed to call in, e.g. a local tool's page. Default none. */
  allowOrigins?: string[];
  /** Host names besides the loopback ones this proxy answers to (e.g. the address it binds). */
  allowHosts?: string[];
}

/** Why a request must be refused, or undefined when it may pass. */
export function refusalReason(req: IncomingMessage, opts: RequestGuardOptions): string | undefined {
  const host = req.headers.host;
  if (!host) return "a Host header is required";
  if (!isLocalHost(host, opts.allowHosts)) {
    return `Host ${host} is not a loopback name (the local Neon answers only to localhost, 127.0.0.1 and [::1])`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !(opts.allowOrigins ?? []).includes(origin)) {
    return `requests from web pages (Origin ${origin}) are refused: the local Neon's password is public`;
  }
  return undefined;
}
