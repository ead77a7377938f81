/**
 * Runs the registered cleanups (last registered first) once, on Ctrl-C, SIGTERM, SIGHUP (the
 * terminal closed) or shutdown(), then exits. Long-running commands (dev, neon:local) use it so
 * nothing outlives them.
 */
const cleanups: Array<() => Promise<unknown> | unknown> = [];
let stopping: Promise<never> | undefined;

export function onShutdown(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup);
}

/**
 * Stops everything, then exits with `code`. A second call (another Ctrl-C, wrangler exiting as it
 * is stopped) joins the first: exiting mid-cleanup is what used to leave PostgreSQL running.
 */
export function shutdown(code: number): Promise<never> {
  stopping ??= runCleanups().then(() => process.exit(code));
  return stopping;
}

async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // Keep stopping the rest.
    }
  }
}

export function isShuttingDown(): boolean {
  return stopping !== undefined;
}

// `on`, not `once`: with no listener left, a repeated signal ends the process at once, mid-cleanup.
// A terminal's Ctrl-C reaches every process of the command, and a parent (npm, tsx) may pass it on
// again, so a second one is the rule, not the exception.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    // After SIGHUP the terminal is gone and writes to it fail (EIO): that must not end the cleanup.
    if (signal === "SIGHUP") for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
    void shutdown(0);
  });
}
