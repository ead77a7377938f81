// Local stand-in for Neon's proxy: WebSocket tunnel (Pool/Client/PrismaNeon) and SQL-over-HTTP
// (neon()/PrismaNeonHttp) on one port, and plain Postgres over TCP on another (what a local
// Hyperdrive binding points at), in front of a local Postgres, with counters and fault injection.
// Node-side tooling only; never bundled into the Worker.
import { type AddressInfo, createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";
import { Allowlist, LOCAL_ENDPOINT_NAMES, normalizeHostPort } from "./allowlist.js";
import { CounterSet, type LocalNeonCounters } from "./counters.js";
import { ComputeActivity, type LocalNeonFaults, NO_FAULTS, parseFaults } from "./faults.js";
import { OriginPool } from "./origin-pool.js";
import { runTunnel, tcpClient } from "./pg-tunnel.js";
import { PgTypeCatalog } from "./pg-type-catalog.js";
import type { RequestGuardOptions } from "./request-guard.js";
import { createLocalNeonServer, type ServerContext } from "./server.js";
import { UpstreamPool } from "./sql-pool.js";

export { LOCAL_ENDPOINT_NAMES } from "./allowlist.js";
export type { LocalNeonCounters } from "./counters.js";
export type { LocalNeonFaults } from "./faults.js";

export interface LocalNeon {
  host: string;
  port: number;
  /** http://127.0.0.1:PORT */
  httpUrl: string;
  /** "127.0.0.1:PORT/v2" — value for neonConfig.wsProxy (the driver appends ?address=host:port) */
  wsProxy: string;
  /**
   * Plain Postgres over TCP to the same database, with the same login as Neon's (a cleartext
   * password, checked here), counters (tcp*) and faults: a local Hyperdrive binding's origin.
   * Latency model: setup flights are free (Hyperdrive keeps them in Cloudflare's data centre),
   * query flights pay latencyMs.
   */
  tcp: { host: string; port: number };
  counters(): LocalNeonCounters;
  resetCounters(): void;
  setFaults(f: Partial<LocalNeonFaults>): void;
  /** Suspends the compute now (no waiting for idleAfterMs): the next connection pays wakeupDelayMs. */
  suspendCompute(): void;
  stop(): Promise<void>;
}

export interface StartLocalNeonOptions {
  /** postgres URL of the real database */
  upstream: string;
  /** default 127.0.0.1 */
  host?: string;
  /** 0/omitted → a free port */
  port?: number;
  /** The TCP endpoint's port: 0/omitted → a free one. */
  tcpPort?: number;
  /** extra host:port the proxy may forward to */
  allow?: string[];
  /**
   * Where the pooled endpoint's name (LOCAL_ENDPOINT_NAMES.pooled, a `-pooler` host) goes: a
   * PgBouncer in front of the upstream. Omitted → the upstream itself (no pooler installed).
   * The direct name always goes to the upstream.
   */
  pooler?: { host: string; port: number };
  faults?: Partial<LocalNeonFaults>;
  /** Upstream connects (TCP + auth) that take longer fail as Neon's do. Default 10 s. */
  upstreamConnectTimeoutMs?: number;
  /** /sql and the TCP (Hyperdrive) endpoint reuse authenticated upstream connections, as Neon and Hyperdrive do. Default true; off for PGlite. */
  poolHttpConnections?: boolean;
  /** Origins and extra Host names let through the request guard (request-guard.ts). */
  guard?: RequestGuardOptions;
  log?: (line: string) => void;
}

export async function startLocalNeon(opts: StartLocalNeonOptions): Promise<LocalNeon> {
  const upstream = new URL(opts.upstream);
  const upstreamHost = upstream.hostname.replace(/^\[(.*)\]$/, "$1");
  const upstreamPort = upstream.port ? Number(upstream.port) : 5432;
  const upstreamUser = decodeURIComponent(upstream.username);
  const upstreamPassword = decodeURIComponent(upstream.password);
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});

  let faults: LocalNeonFaults = { ...NO_FAULTS, ...parseFaults(opts.faults ?? {}) };
  const counters = new CounterSet();
  const activity = new ComputeActivity(
    () => faults,
    () => counters.add("wakeups"),
  );
  const direct = { host: upstreamHost, port: upstreamPort };
  const allowlist = new Allowlist([normalizeHostPort(upstreamHost, upstreamPort), ...(opts.allow ?? [])], {
    [LOCAL_ENDPOINT_NAMES.direct]: direct,
    [LOCAL_ENDPOINT_NAMES.pooled]: opts.pooler ?? direct,
  });

  const context: ServerContext = {
    allowlist,
    counters,
    activity,
    types: new PgTypeCatalog(),
    defaultAddress: { host: upstreamHost, port: upstreamPort },
    // The address it binds answers too (e.g. --host 0.0.0.0 on a LAN is a deliberate choice).
    guard: { ...opts.guard, allowHosts: [host, ...(opts.guard?.allowHosts ?? [])] },
    faults: () => faults,
    // A fault applies to connections from now on: pooled origin sessions from before it go.
    setFaults: (f) => {
      faults = { ...faults, ...parseFaults(f) };
      context.origins?.clear();
    },
    resetFaults: () => {
      faults = { ...NO_FAULTS };
      context.origins?.clear();
    },
    // The only credentials we know are the configured upstream's (see startup-auth.ts).
    expectedPassword: (user) => (user === upstreamUser ? upstreamPassword : undefined),
    upstreamConnectTimeoutMs: opts.upstreamConnectTimeoutMs ?? 10_000,
    pool: new UpstreamPool(opts.poolHttpConnections ?? true),
    origins: new OriginPool(opts.poolHttpConnections ?? true),
    log,
  };
  const { server, wss } = createLocalNeonServer(context);
  // Always to the configured database: there is no ?address= on a TCP connection.
  const tcpSockets = new Set<Socket>();
  const tcpServer: TcpServer = createTcpServer((socket) => {
    tcpSockets.add(socket);
    socket.on("close", () => tcpSockets.delete(socket));
    socket.on("error", () => {});
    runTunnel(tcpClient(socket), context.defaultAddress, context);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve, reject) => {
    tcpServer.once("error", reject);
    tcpServer.listen(opts.tcpPort ?? 0, host, () => resolve());
  });
  const tcpPort = (tcpServer.address() as AddressInfo).port;
  const hostForUrl = host.includes(":") ? `[${host}]` : host;

  return {
    host,
    port,
    httpUrl: `http://${hostForUrl}:${port}`,
    wsProxy: `${hostForUrl}:${port}/v2`,
    tcp: { host, port: tcpPort },
    counters: () => ({ ...counters.snapshot(), tcpSessionsIdle: context.origins?.idle ?? 0 }),
    resetCounters: () => counters.reset(),
    setFaults: (f) => context.setFaults(f),
    suspendCompute: () => {
      context.origins?.clear(); // a suspended compute has no sessions left
      activity.suspend();
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      for (const socket of tcpSockets) socket.destroy();
      await context.pool.close();
      context.origins?.clear();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => tcpServer.close(() => resolve())),
      ]);
    },
  };
}
