// Whoever can publish a key here can sign tokens the local API trusts, so no web page may reach the
// issuer: a page can send cross-site requests to 127.0.0.1 and, through DNS rebinding, make its own
// name point there. Browsers always send Origin on those, and a rebinding page's Host is its own
// name. The Worker, Node and curl send no Origin and a loopback Host. (local-neon's guard, same rule.)
import type { IncomingMessage } from "node:http";
import { isLocalHost } from "../../../src/lib/loopback.js";

/** Why a request must be refused, or undefined when it may pass. */
export function refusalReason(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host) return "a Host header is required";
  if (!isLocalHost(host)) {
    return `Host ${host} is not a loopback name (the local issuer answers only to localhost, 127.0.0.1 and [::1])`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) return `requests from web pages (Origin ${origin}) are refused`;
  return undefined;
}
