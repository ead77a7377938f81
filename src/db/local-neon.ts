import { neonConfig } from "@neondatabase/serverless";

/**
 * Points the Neon driver at the local Neon proxy (tools/local-neon) when NEON_LOCAL_PROXY is
 * bound. neonConfig is module-global plain data (no I/O), and the binding is the same for every
 * request of an isolate, so setting it per request is safe and idempotent.
 * Without the binding this does nothing and the driver talks to Neon over wss:// and https://.
 */
export function useLocalNeonProxy(proxy: string | undefined): void {
  if (!proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  // Kept at Neon's default: the local proxy asks for a cleartext password as Neon does,
  // so startup + password go in one flight, exactly as in production.
  neonConfig.pipelineConnect = "password";
  neonConfig.fetchEndpoint = () => `http://${proxy}/sql`;
}
