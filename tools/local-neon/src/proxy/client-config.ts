// How a client points @neondatabase/serverless at the local proxy. Plain Node code,
// nothing Worker-specific: tests use applyLocalNeonConfig, the CLI prints neonConfigLines.

/** The subset of neonConfig we set (structural, so any copy of the driver fits). */
export interface NeonConfigLike {
  wsProxy: string | ((host: string, port: number | string) => string) | undefined;
  useSecureWebSocket: boolean;
  pipelineTLS: boolean;
  pipelineConnect: "password" | false;
  fetchEndpoint: string | ((host: string, port: number | string, options?: never) => string);
}

/** proxyHostPort: "127.0.0.1:4444" */
export function applyLocalNeonConfig(neonConfig: NeonConfigLike, proxyHostPort: string): void {
  neonConfig.wsProxy = (host, port) => `${proxyHostPort}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = "password";
  neonConfig.fetchEndpoint = () => `http://${proxyHostPort}/sql`;
}

/** The same settings as source lines, for copy-paste. */
export function neonConfigLines(proxyHostPort: string): string[] {
  return [
    `import { neonConfig } from "@neondatabase/serverless";`,
    `neonConfig.wsProxy = (host, port) => \`${proxyHostPort}/v2?address=\${host}:\${port}\`;`,
    `neonConfig.useSecureWebSocket = false;`,
    `neonConfig.pipelineTLS = false;`,
    `neonConfig.pipelineConnect = "password";`,
    `neonConfig.fetchEndpoint = () => "http://${proxyHostPort}/sql";`,
  ];
}
