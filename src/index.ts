import { env } from "cloudflare:workers";
import { app, startupQueries } from "./app";
import { warmUpQueryCompilerOrWarn } from "./db/warm-up";
import type { Bindings } from "./env";
import { scheduled } from "./jobs/scheduled";

// Module scope runs once per isolate, before its first request (on Cloudflare, during the TLS
// handshake). Prisma's compiler is warmed here so the first query of an isolate does not pay for
// it, and plans the keyed writes' and the routes' own transactions (src/app.ts); the trade-off is
// measured in docs/PERFORMANCE.md. Delete this line to start leaner instead.
await warmUpQueryCompilerOrWarn(startupQueries, env as Bindings);

export type { AppType } from "./app";
export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Bindings>;
