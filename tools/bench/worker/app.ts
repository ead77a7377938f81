// The bench Worker's app (npm run bench): the real app, unchanged, plus routes that do the same
// work with the raw drivers and with drizzle-orm (the baselines) and a route that times a cold
// first query. Its entries: index.ts (starts like src/index.ts) and without-warm-up.ts. Nothing
// here is deployed.
import { app } from "../../../src/app";
import { mountColdTimings } from "./cold-timings";
import { mountDrizzleRoutes } from "./drizzle-routes";
import { mountRawRoutes } from "./raw-routes";
import { mountSockets } from "./sockets";

// Mounted on the app itself, so they pass through the same middleware (request id, logging,
// secure headers, CORS, body limit) as the real routes: the only difference is the data access.
mountRawRoutes(app);
mountDrizzleRoutes(app);
mountColdTimings(app);
mountSockets(app);

export { app as benchApp };
