import { neonConfig } from "@neondatabase/serverless";
import { isLocalHost } from "../lib/loopback";

/**
 * Points the Neon driver at the local Neon proxy (tools/local-neon) when NEON_LOCAL_PROXY is
 * bound. neonConfig is module-global plain data (no I/O), and the binding is the same for every
 * request of an isolate, so setting it per request is safe and idempotent.
 * Without the binding this does nothing and the driver talks to Neon over wss:// and https://.
 */
export function useLocalNeonProxy(proxy: string | undefined): void {
  if (!proxy) return;
  assertLoopback(proxy);
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  // Kept at Neon's default: the local proxy asks for a cleartext password as Neon does,
  // so startup + password go in one flight, exactly as in production.
  neonConfig.pipelineConnect = "password";
  neonConfig.fetchEndpoint = () => `http://${proxy}/sql`;
}

/**
 * The local proxy is plain ws:// and http://, with the database password inside: only ever on this
 * machine. A NEON_LOCAL_PROXY naming another host (a copy-pasted .dev.vars, a production var set by
 * mistake) is refused rather than sending credentials across a network in clear text.
 */
function assertLoopback(proxy: string): void {
  if (!isLocalHost(proxy)) {
    throw new Error(
      `NEON_LOCAL_PROXY must be a loopback host:port (localhost, 127.0.0.1 or [::1]), got "${proxy}": ` +
        "the local proxy speaks plain ws:// and http://. Unset it to reach Neon itself.",
    );
  }
}
