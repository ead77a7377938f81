// The issuer as `npm run dev` runs it: the keys kept in the dev folder (so tokens survive a
// restart), a fixed port (so iss does too), and config.json written for `npm run token`.
import { type DevIssuerConfig, keysFileIn, writeDevConfig } from "./dev-config.js";
import { loadOrCreateKeys } from "./key-file.js";
import { type LocalIssuer, startLocalIssuer } from "./server.js";

export interface StartDevIssuerOptions {
  /** Where keys.json and config.json live (devIssuerDir()). */
  dir: string;
  port: number;
  /** The local API's origin: the tokens' aud. */
  audience: string;
}

export async function startDevIssuer(opts: StartDevIssuerOptions): Promise<LocalIssuer & { config: DevIssuerConfig }> {
  const keys = await loadOrCreateKeys(keysFileIn(opts.dir));
  let issuer: LocalIssuer;
  try {
    issuer = await startLocalIssuer({ keys, port: opts.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new Error(
      `port ${opts.port} on 127.0.0.1 is already in use (another npm run dev?): stop it, or set LOCAL_ISSUER_PORT to a free port`,
    );
  }
  const config = { issuer: issuer.issuer, audience: opts.audience, jwksUrl: issuer.jwksUrl };
  writeDevConfig(opts.dir, config);
  return { ...issuer, config };
}
