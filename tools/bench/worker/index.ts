// The bench Worker as production starts: the query compiler warmed at module scope (src/index.ts).
import { startupQueries } from "../../../src/app";
import { warmUpQueryCompilerOrWarn } from "../../../src/db/warm-up";
import { benchApp } from "./app";

await warmUpQueryCompilerOrWarn(startupQueries);

export default benchApp;
