// The bench Worker as production starts: the speed layer installed at module scope (src/index.ts).
import { env } from "cloudflare:workers";
import { startupQueries } from "../../../src/app";
import { installSpeedLayer } from "../../../src/db/speed";
import type { Bindings } from "../../../src/env";
import { benchApp } from "./app";

await installSpeedLayer(startupQueries, env as Bindings);

export default benchApp;
