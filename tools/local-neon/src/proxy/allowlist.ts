// The proxy must never be an open relay: it forwards only to the configured upstream
// (and explicitly allowed extra host:port pairs). Loopback spellings are equivalent.

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

export class Allowlist {
  private readonly allowed: Set<string>;
  constructor(entries: string[]) {
    this.allowed = new Set(
      entries.map((entry) => {
        const { host, port } = splitHostPort(entry);
        return normalizeHostPort(host, port);
      }),
    );
  }
  allows(host: string, port: number | string | undefined): boolean {
    return this.allowed.has(normalizeHostPort(host, port));
  }
  /** The port of the one endpoint on this host, if there is exactly one (for a URL without a port). */
  portFor(host: string): number | undefined {
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
