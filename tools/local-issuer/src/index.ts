// An offline identity provider: signing keys (RS256, ES256, EdDSA), a loopback-only JWKS server
// with faults, counters and key publishing, and the minting behind `npm run token`.
export {
  DEV_ISSUER_PORT,
  type DevIssuerConfig,
  devIssuerDir,
  keysFileIn,
  readDevConfig,
} from "./dev-config.js";
export { type StartDevIssuerOptions, startDevIssuer } from "./dev-issuer.js";
export { FAULT_NAMES, type FaultName, faultPath } from "./faults.js";
export { loadOrCreateKeys, readKeyFile } from "./key-file.js";
export { generateIssuerKeys, type IssuerKey, publicJwkOf, SIGNING_ALGS, type SigningAlg } from "./keys.js";
export { type MintOptions, mintToken, type UserClaims } from "./mint.js";
export {
  JWKS_PATH,
  type LocalIssuer,
  PUBLISH_PATH,
  STATS_PATH,
  type StartLocalIssuerOptions,
  startLocalIssuer,
} from "./server.js";
