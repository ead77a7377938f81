// Shared shape of the long-run commands (reliability:load, reliability:fuzz): flags, one line per
// step, a stack of their own started and always stopped, exit 0 on "ok" and 1 otherwise.
import { missingDemoRoutes } from "./demo-routes.js";
import { startWorkerUnderTest, type WorkerUnderTest } from "./worker-under-test.js";

/** `--name value` as a whole number ≥ 0, or the fallback. */
export function intFlag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

/** Runs `check` against a fresh stack; it reports through `say` and returns whether all was well. */
export function runReliabilityCommand(
  name: string,
  check: (target: WorkerUnderTest, say: (line: string) => void) => Promise<boolean>,
): void {
  const say = (line: string) => console.log(`[${name}] ${line}`);
  const main = async () => {
    const target = await startWorkerUnderTest({ log: say });
    try {
      const missing = await missingDemoRoutes(target);
      if (missing) throw new Error(missing);
      const ok = await check(target, say);
      say(ok ? "ok" : "FAILED");
      return ok ? 0 : 1;
    } finally {
      await target.stop();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`[${name}] error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
