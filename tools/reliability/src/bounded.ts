// Runs `total` tasks with at most `concurrency` in flight, and stops starting new ones at the
// deadline: every loop here ends by itself.

export interface BoundedRun {
  /** Tasks started (and finished): less than total only when the deadline stopped the run. */
  done: number;
  ms: number;
}

export async function runBounded(
  total: number,
  concurrency: number,
  deadlineMs: number,
  task: (index: number) => Promise<void>,
): Promise<BoundedRun> {
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < total && Date.now() - started < deadlineMs) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { done: next, ms: Date.now() - started };
}
