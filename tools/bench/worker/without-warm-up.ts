// The bench Worker without the module-scope warm-up, the speed layer's other parts in use: the
// "before" of the cold-start figures.
import { env } from "cloudflare:workers";
import { useSpeedClients } from "../../../src/db/speed";
import type { Bindings } from "../../../src/env";
import { benchApp } from "./app";

useSpeedClients(env as Bindings);

export default benchApp;
