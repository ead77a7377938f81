import { env } from "cloudflare:workers";
import { app, startupQueries } from "./app";
import { installSpeedLayer } from "./db/speed";
import type { Bindings } from "./env";
import { scheduled } from "./jobs/scheduled";

// Module scope runs once per isolate, before its first request (on Cloudflare, during the TLS
// handshake). The speed layer (src/db/speed) shares Prisma's compiler and clients across requests,
// builds them here and plans the routes' transactions (src/app.ts), so that the first request does
// not pay for it. PRISMA_SPEED_LAYER = "off" (wrangler.toml) leaves stock Prisma.
await installSpeedLayer(startupQueries, env as Bindings);

export type { AppType } from "./app";
export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Bindings>;
