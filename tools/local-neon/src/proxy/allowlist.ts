// Where a connection may go. The proxy must never be an open relay: it forwards only to the
// configured upstream, explicitly allowed extra host:port pairs, and its named endpoints. Loopback
// spellings are equivalent.
//
// Named endpoints are how Neon's hosts work: one proxy, and the host name picks the target. The
// `-pooler` name goes to PgBouncer, the plain one straight to Postgres. The proxy maps the names
// itself (the Worker's driver sends it the host it was given); nothing is resolved through DNS.

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function normalizeHostPort(host: string, port: number | string | undefined): string {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  const normalizedHost = LOOPBACK.has(h) || LOOPBACK.has(`[${h}]`) ? "127.0.0.1" : h;
  return `${normalizedHost}:${port === undefined || port === "" ? 5432 : Number(port)}`;
}

/** Splits "host:port" (also "[v6]:port"); a missing port means 5432. */
export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!match) throw new Error("address must look like host:port");
  return { host: match[1]!, port: match[2] ? Number(match[2]) : 5432 };
}

/** The local endpoint's names, shaped like Neon's (`ep-…` and `ep-…-pooler`); `.localhost` never leaves the machine. */
export const LOCAL_ENDPOINT_NAMES = {
  direct: "ep-local.neon.localhost",
  pooled: "ep-local-pooler.neon.localhost",
} as const;

/** The port every Neon host listens on, and so the only one its names answer on here. */
const NEON_PORT = 5432;

export interface Target {
  host: string;
  port: number;
}

export class Allowlist {
  private readonly allowed: Set<string>;
  private readonly named: Map<string, Target>;
  /** `names`: host name → where it goes (e.g. LOCAL_ENDPOINT_NAMES.pooled → PgBouncer). */
  constructor(entries: string[], names: Record<string, Target> = {}) {
    this.named = new Map(Object.entries(names).map(([name, target]) => [name.toLowerCase(), target]));
    this.allowed = new Set(
      entries.map((entry) => {
        const { host, port } = splitHostPort(entry);
        return normalizeHostPort(host, port);
      }),
    );
  }
  allows(host: string, port: number | string | undefined): boolean {
    return this.route(host, port) !== undefined;
  }
  /** Where a connection to host:port goes, or undefined when it may not go anywhere. */
  route(host: string, port: number | string | undefined): Target | undefined {
    const named = this.named.get(host.toLowerCase());
    const portNumber = port === undefined || port === "" ? NEON_PORT : Number(port);
    if (named) return portNumber === NEON_PORT ? named : undefined;
    return this.allowed.has(normalizeHostPort(host, port)) ? { host, port: portNumber } : undefined;
  }
  /** The port of the one endpoint on this host, if there is exactly one (for a URL without a port). */
  portFor(host: string): number | undefined {
    if (this.named.has(host.toLowerCase())) return NEON_PORT;
    const prefix = normalizeHostPort(host, 0).replace(/:0$/, ":");
    const ports = [...this.allowed]
      .filter((entry) => entry.startsWith(prefix))
      .map((e) => Number(e.slice(prefix.length)));
    return ports.length === 1 ? ports[0] : undefined;
  }
}

/**
 * Why a connection is refused, as the Postgres error Neon's proxy would send (FATAL, SQLSTATE
 * 08001 "unable to establish connection"), so drivers surface it rather than a bare hang-up.
 */
export function notAllowed(host: string, port: number): { severity: string; code: string; message: string } {
  return {
    severity: "FATAL",
    code: "08001",
    message: `connection to ${host}:${port} is not allowed: this local proxy only forwards to its configured database`,
  };
}
