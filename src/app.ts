import { Hono } from "hono";
import type { AppEnv } from "./env";
import { health } from "./routes/health";

/** The API. Routes are chained so their types flow to `hc<AppType>`. */
export const app = new Hono<AppEnv>().route("/health", health);

export type AppType = typeof app;
