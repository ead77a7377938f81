/**
 * Runs the registered cleanups (last registered first) once, on Ctrl-C, SIGTERM or shutdown(),
 * then exits. Long-running commands (dev, neon:local) use it so nothing outlives them.
 */
const cleanups: Array<() => Promise<unknown> | unknown> = [];
let exiting = false;

export function onShutdown(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup);
}

export async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep stopping the rest.
      }
    }
  }
  process.exit(code);
}

export function isShuttingDown(): boolean {
  return exiting;
}

process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));
