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
}
