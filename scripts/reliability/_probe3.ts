import { runFuzz } from "./fuzz.js";
import { startWorkerStack } from "./worker-stack.js";
const s = await startWorkerStack({ log: console.log });
const r = await runFuzz(s, { seed: Number(process.argv[2] ?? 1), requests: Number(process.argv[3] ?? 300), concurrency: 8, deadlineMs: 120_000 });
console.log(JSON.stringify({ ...r, failures: r.failures.slice(0, 15) }, null, 1));
await s.stop();
