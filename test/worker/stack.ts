import { inject } from "vitest";
import type { WorkerStack } from "../setup/worker-stack";

/** The database + local Neon stack this project's Worker is bound to. */
export const stack = (): WorkerStack => inject("workerStacks")[inject("workerStackDb")];
