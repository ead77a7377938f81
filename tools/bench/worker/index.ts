// The bench Worker as production starts: the query compiler warmed at module scope (src/index.ts).
import { env } from "cloudflare:workers";
import { startupQueries } from "../../../src/app";
import { warmUpQueryCompilerOrWarn } from "../../../src/db/warm-up";
import type { Bindings } from "../../../src/env";
import { benchApp } from "./app";

await warmUpQueryCompilerOrWarn(startupQueries, env as Bindings);

export default benchApp;
