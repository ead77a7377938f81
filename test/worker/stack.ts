import { inject } from "vitest";
import type { ProvidedStack } from "../setup/worker-stack";

/** The database + local Neon stack this project's Worker is bound to. */
export const stack = (): ProvidedStack => inject("workerStacks")[inject("workerStackDb")];
