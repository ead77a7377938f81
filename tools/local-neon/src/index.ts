// Neon, locally: the proxy (WebSocket and SQL-over-HTTP, counters, faults), the one local stack
// that puts a migrated database behind it, and the Worker served against that stack.
export { applyLocalNeonConfig, neonConfigLines } from "./proxy/client-config.js";
// The proxy's small HTTP helpers, shared with tools/local-issuer.
export { BodyTooLargeError, readBody, sendJson } from "./proxy/http-util.js";
export {
  type LocalNeon,
  type LocalNeonCounters,
  type LocalNeonFaults,
  type StartLocalNeonOptions,
  startLocalNeon,
} from "./proxy/local-neon.js";
export { isShuttingDown, onShutdown, shutdown } from "./shutdown.js";
export { DEV_DATA_ROOT, DEV_DATABASE_PORT, type LocalStack, type LocalStackOptions, startLocalStack } from "./stack.js";
export { type LocalWorker, type ServeWorkerOptions, serveWorker } from "./worker.js";
