// This machine's names: the only hosts the local-only machinery answers to (the local Neon's
// request guard, `npm run dev`'s Host check: DNS rebinding) or may point at (NEON_LOCAL_PROXY).
// Plain code, no Workers or Node APIs: tools/local-neon imports it too (src/ never imports tools/).

/** The loopback names, as a Host header writes them. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

const LOOPBACK_NAMES = new Set<string>(["localhost", "127.0.0.1", "::1"]);

/**
 * The host name of a Host header or host:port ("[::1]:4444" → "::1", "LocalHost" → "localhost");
 * undefined when it is not one (empty, a path, an IPv6 address without brackets).
 */
export function hostName(hostPort: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::\d{1,5})?$/i.exec(hostPort.trim());
  return (match?.[1] ?? match?.[2])?.toLowerCase();
}

/** Whether a Host header (or host:port) names this machine, or one of `allowed` (names, any port). */
export function isLocalHost(hostPort: string, allowed: readonly string[] = []): boolean {
  const name = hostName(hostPort);
  if (name === undefined) return false;
  return LOOPBACK_NAMES.has(name) || allowed.some((entry) => hostName(entry) === name);
}
