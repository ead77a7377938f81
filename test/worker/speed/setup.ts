// Each speed-layer test file gets its own isolate, in which the Worker's entry (src/index.ts) may
// not have run yet: plug the layer's clients in as it does, so leasePrismaClient gives pooled ones.
import { env } from "cloudflare:workers";
import { useSpeedClients } from "../../../src/db/speed";
import type { Bindings } from "../../../src/env";

useSpeedClients(env as Bindings);
