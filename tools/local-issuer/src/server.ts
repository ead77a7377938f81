// The issuer over HTTP, on 127.0.0.1 only and behind the loopback guard: its JWKS, a discovery
// document, broken copies of the JWKS (faults.ts), per-URL fetch counts and key publishing.
// It never mints: tokens are signed by the caller (the token CLI, the tests) with the private keys.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BodyTooLargeError, readBody, sendJson } from "@starter/local-neon";
import type { JWK } from "jose";
import { FAULT_NAMES, faultPath, sendFault } from "./faults.js";
import { type IssuerKey, SIGNING_ALGS } from "./keys.js";
import { parsePublishedKey } from "./published-key.js";
import { refusalReason } from "./request-guard.js";

export const JWKS_PATH = "/.well-known/jwks.json";
export const STATS_PATH = "/_local-issuer/stats";
export const PUBLISH_PATH = "/_local-issuer/publish";
const DISCOVERY_PATH = "/.well-known/openid-configuration";

export interface StartLocalIssuerOptions {
  keys: IssuerKey[];
  /** 0/omitted → a free port. */
  port?: number;
}

export interface LocalIssuer {
  /** http://127.0.0.1:PORT: also the tokens' iss. */
  origin: string;
  issuer: string;
  jwksUrl: string;
  port: number;
  keys: IssuerKey[];
  /** JWKS fetches (faulty ones too) per full URL, query included: a test's own `?t=<uuid>` is its own count. */
  jwksHits(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startLocalIssuer(opts: StartLocalIssuerOptions): Promise<LocalIssuer> {
  const hits = new Map<string, number>();
  const published = new Map<string, JWK>();
  const ownKids = new Set(opts.keys.map((key) => key.kid));
  let origin = "";

  const jwks = () => ({ keys: [...opts.keys.map((key) => key.publicJwk), ...published.values()] });
  const discovery = () => ({
    issuer: origin,
    jwks_uri: `${origin}${JWKS_PATH}`,
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    subject_types_supported: ["public"],
    response_types_supported: ["id_token"],
  });

  async function publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 64 * 1024).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) return undefined; // the request is dropped
      throw error;
    });
    if (body === undefined) return;
    const parsed = parsePublishedKey(body.toString("utf8"));
    if ("error" in parsed) return sendJson(res, 400, { message: parsed.error });
    const kid = parsed.jwk.kid!;
    // The issuer's own keys sign every other test's tokens: replacing one would break them.
    if (ownKids.has(kid)) return sendJson(res, 409, { message: `kid ${kid} is one of the issuer's own keys` });
    published.set(kid, parsed.jwk);
    sendJson(res, 201, { kid, published: published.size });
  }

  type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;
  const jwksCopies: Array<[string, [string, Handler]]> = FAULT_NAMES.map((name) => [
    faultPath(name),
    ["GET", (_req, res, url) => sendFault(res, name, `${origin}${JWKS_PATH}${url.search}`)],
  ]);
  /** path → [method, handler] */
  const routes = new Map<string, [string, Handler]>([
    // As providers do; jose keeps its own cache and ignores this.
    [JWKS_PATH, ["GET", (_req, res) => sendJson(res, 200, jwks(), { "Cache-Control": "public, max-age=60" })]],
    ...jwksCopies,
    [DISCOVERY_PATH, ["GET", (_req, res) => sendJson(res, 200, discovery())]],
    [STATS_PATH, ["GET", (_req, res) => sendJson(res, 200, { jwks: Object.fromEntries(hits) })]],
    [PUBLISH_PATH, ["POST", publish]],
  ]);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusalReason(req);
    if (refused) return sendJson(res, 403, { message: refused });
    const url = new URL(req.url ?? "/", origin);
    const found = routes.get(url.pathname);
    if (!found) return sendJson(res, 404, { message: `not found: ${req.method} ${url.pathname}` });
    const [method, handle] = found;
    if (req.method !== method) {
      return sendJson(res, 405, { message: `${req.method} ${url.pathname}: use ${method}` }, { Allow: method });
    }
    // The JWKS and its faulty copies, keyed under the issuer's own origin whichever loopback name was used.
    if (url.pathname.endsWith("/jwks.json")) {
      const counted = `${origin}${url.pathname}${url.search}`;
      hits.set(counted, (hits.get(counted) ?? 0) + 1);
    }
    await handle(req, res, url);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: a JWKS a test can publish keys to is never for the network.
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    issuer: origin,
    jwksUrl: `${origin}${JWKS_PATH}`,
    port,
    keys: opts.keys,
    jwksHits: () => Object.fromEntries(hits),
    async stop() {
      // closeAllConnections ends the hanging fault's requests too.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
