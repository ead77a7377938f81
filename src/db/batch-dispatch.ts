/**
 * Prisma's query batching, dispatched on a microtask instead of a timer.
 *
 * Why: Prisma's dataloader collects the queries one tick sends (findUnique and every query of an
 * interactive transaction) and sends them on `process.nextTick`. Its edge build, the one Workers
 * run, polyfills nextTick with `setTimeout(fn, 0)`: each such query then waits for a timer, a turn
 * of the event loop behind whatever else the isolate does. A microtask is what nextTick is in Node,
 * where Prisma's batching was designed: queries sent together (Promise.all) still share a batch.
 * The gain is latency, not CPU (docs/PERFORMANCE.md, "Design decisions").
 *
 * Leans on the dataloader's fields (pinned with Prisma 7.10). If an upgrade changes them, this says
 * so once and leaves Prisma's own timer: correct, only slower. test/worker/batch-dispatch.test.ts.
 */
import type { PrismaClient } from "../generated/prisma/client";

interface Job {
  request: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What we use of Prisma 7.10's DataLoader (src/runtime/DataLoader.ts in prisma/prisma). */
interface DataLoader {
  options: { batchBy(request: unknown): string | undefined; singleLoader(request: unknown): Promise<unknown> };
  batches: Record<string, Job[]>;
  dispatchBatches(): void;
  request(request: unknown): Promise<unknown>;
}

let warned = false;

/** Makes `prisma`'s dataloader dispatch on a microtask; false (and a warning, once) if it cannot. */
export function dispatchBatchesOnMicrotask(prisma: PrismaClient): boolean {
  const loader = (prisma as unknown as { _requestHandler?: { dataloader?: Partial<DataLoader> } })._requestHandler
    ?.dataloader;
  if (!isDataLoader(loader)) {
    if (!warned)
      console.warn(JSON.stringify({ level: "warn", msg: "Prisma's dataloader changed: its batches wait for a timer" }));
    warned = true;
    return false;
  }
  let scheduled = false;
  // Prisma's own request(), with queueMicrotask where its build has setTimeout(fn, 0).
  loader.request = (request) => {
    const key = loader.options.batchBy(request);
    if (!key) return loader.options.singleLoader(request);
    if (!loader.batches[key]) {
      loader.batches[key] = [];
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(() => {
          scheduled = false;
          loader.dispatchBatches();
        });
      }
    }
    return new Promise((resolve, reject) => loader.batches[key]?.push({ request, resolve, reject }));
  };
  return true;
}

function isDataLoader(loader: Partial<DataLoader> | undefined): loader is DataLoader {
  return (
    typeof loader?.request === "function" &&
    typeof loader.dispatchBatches === "function" &&
    typeof loader.batches === "object" &&
    typeof loader.options?.batchBy === "function" &&
    typeof loader.options.singleLoader === "function"
  );
}
