// `npm run bench:profile [-- --endpoint 'GET /users/{id}' --path http --requests 1000 --cold]`
// Where Prisma's per-request CPU goes: the bench Worker's deploy bundle, unminified, in plain
// workerd with its DevTools inspector; a V8 CPU profile (50 µs sampling) over sequential requests
// to the app's endpoint and then to its raw-driver twin, at RTT 0 (--rtt to change). Prints sampled CPU per request
// for each and Prisma's extra self time by function. (docs/PERFORMANCE.md, "Prisma's per-request cost".)
// --cold: the first request of a fresh isolate instead, `--requests` isolates per side (each side in
// its own workerd, started 1 s before the request, as the bench's cold figures).
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { onShutdown } from "@starter/local-neon";
import { findFreePort } from "@starter/local-postgres";
import { benchCases, type RequestSpec, type Transport } from "./cases";
import { createFixtures } from "./fixtures";
import { sendOk } from "./measure";
import { benchBindings, startBenchStack } from "./stack";
import { buildDeployBundle, startPlainWorkerd } from "./workerd";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const { values } = parseArgs({
  options: {
    endpoint: { type: "string", default: "GET /users/{id}" },
    path: { type: "string", default: "http" },
    requests: { type: "string", default: "1000" },
    rtt: { type: "string", default: "0" },
    top: { type: "string", default: "25" },
    cold: { type: "boolean", default: false },
  },
});
const log = (line: string) => console.log(`[profile] ${line}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal DevTools protocol client over the inspector's WebSocket. */
async function inspector(port: number) {
  // workerd may list its isolate a moment after it starts serving.
  let url: string | undefined;
  for (let i = 0; i < 50 && !url; i++) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 100));
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    url = targets[0]?.webSocketDebuggerUrl;
  }
  if (!url) throw new Error("workerd's inspector lists no target");
  const socket = new WebSocket(url.replace("localhost", "127.0.0.1"));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  return {
    send<T>(method: string, params: object = {}): Promise<T> {
      const id = next++;
      socket.send(JSON.stringify({ id, method, params }));
      // An answer that never comes (seen after a fresh isolate's last request) fails the run, not hangs it.
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`workerd's inspector did not answer ${method}`)), 30_000);
        pending.set(id, (result) => {
          clearTimeout(timer);
          resolve(result as T);
        });
      });
    },
    close: () => socket.close(),
  };
}

interface SourceOrigin {
  name: string | undefined;
  fileName: string;
  lineNumber: number;
}

/**
 * Time (ms) by function over the profile's non-idle samples: self, and inclusive (anywhere on the
 * stack). "(program)" counts too: V8's own work, its compilers among it, which a first request pays.
 */
function timesByFunction(
  profile: Profile,
  map: SourceMap | undefined,
): { self: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, string>();
  const nameOf = (node: ProfileNode): string => {
    let name = names.get(node.id);
    if (name === undefined) {
      const frame = node.callFrame;
      // Node's SourceMap: 1-based line and column in; the original's file, line and name out.
      const found = frame.url && map ? map.findOrigin(frame.lineNumber + 1, frame.columnNumber + 1) : undefined;
      const original = found && "fileName" in found ? (found as SourceOrigin) : undefined;
      const where = original
        ? `${original.fileName.replace(/^.*?(node_modules|src)\//, "")}:${original.lineNumber}`
        : frame.url
          ? `${path.basename(frame.url)}:${frame.lineNumber + 1}`
          : "";
      name = `${original?.name || frame.functionName || "(anonymous)"} ${where}`.trim();
      names.set(node.id, name);
    }
    return name;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const fn = node?.callFrame.functionName;
    if (!node || fn === "(idle)") return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    add(self, nameOf(node), ms);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = node; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const name = nameOf(n);
      if (!seen.has(name)) add(inclusive, name, ms);
      seen.add(name);
    }
  });
  return { self, inclusive };
}

type Devtools = Awaited<ReturnType<typeof inspector>>;

/** A profile of `n` sequential requests to `spec`, after 100 to warm JIT and plans. */
async function warmProfileOf(send: Devtools["send"], origin: string, spec: RequestSpec, n: number): Promise<Profile> {
  for (let i = 0; i < 100; i++) await sendOk(origin, spec); // warm: JIT, plans
  await send("Profiler.start");
  for (let i = 0; i < n; i++) await sendOk(origin, spec);
  return (await send<{ profile: Profile }>("Profiler.stop")).profile;
}

/** A profile of one request to `spec`, the first of the isolate, 1 s after it started. */
async function coldProfileOf(
  send: Devtools["send"],
  origin: string,
  spec: RequestSpec,
  side: string,
): Promise<Profile> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await send("Profiler.start");
  const t0 = performance.now();
  await sendOk(origin, spec);
  log(`${side}: first request ${(performance.now() - t0).toFixed(1)} ms (wall)`);
  return (await send<{ profile: Profile }>("Profiler.stop")).profile;
}

type Times = ReturnType<typeof timesByFunction>;

/** Adds `times` into `sum`, function by function. */
function addTimes(sum: Times, times: Times): void {
  for (const kind of ["self", "inclusive"] as const)
    for (const [k, ms] of times[kind]) sum[kind].set(k, (sum[kind].get(k) ?? 0) + ms);
}

async function main(): Promise<void> {
  const requests = Number(values.requests);
  const stack = await startBenchStack(Number(values.rtt));
  onShutdown(() => stack.stop());
  // The production wrangler.toml, unminified, so the profile names functions.
  const config = path.join(ROOT, "wrangler.profile.tmp.toml");
  copyFileSync(path.join(ROOT, "wrangler.toml"), config);
  writeFileSync(config, readFileSync(config, "utf8").replace(/^minify = true$/m, "minify = false"));
  const bundle = await buildDeployBundle("tools/bench/worker/index.ts", config).finally(() =>
    rmSync(config, { force: true }),
  );
  try {
    const fixtures = await createFixtures(stack.directUrl);
    const transport = values.path as Transport;
    const found = benchCases(fixtures).find((c) => c.name === values.endpoint && c.transport === transport);
    if (!found) throw new Error(`no bench case "${values.endpoint}" on ${transport}`);
    const bindings = { ...benchBindings(stack), ...(transport === "ws" ? { NEON_STATEMENT_TRANSPORT: "ws" } : {}) };
    const mapFile = readdirSync(bundle.dir).find((f) => f.endsWith(".js.map"));
    const map = mapFile ? new SourceMap(JSON.parse(readFileSync(path.join(bundle.dir, mapFile), "utf8"))) : undefined;
    /** Runs `work` against a new workerd with its profiler enabled. */
    const inWorker = async <T>(work: (send: Devtools["send"], origin: string) => Promise<T>): Promise<T> => {
      const port = await findFreePort();
      const worker = await startPlainWorkerd(bundle, bindings, {
        inspectorPort: port,
        ...(transport === "hyperdrive" ? { hyperdrive: stack.hyperdriveUrl } : {}),
      });
      const devtools = await inspector(port);
      try {
        await devtools.send("Profiler.enable");
        await devtools.send("Profiler.setSamplingInterval", { interval: 50 });
        return await work(devtools.send, worker.origin);
      } finally {
        devtools.close();
        await worker.stop();
      }
    };
    const empty = (): Times => ({ self: new Map(), inclusive: new Map() });
    const raw = empty();
    const prisma = empty();
    if (values.cold) {
      for (let i = 0; i < requests; i++) {
        addTimes(raw, timesByFunction(await inWorker((send, o) => coldProfileOf(send, o, found.raw, "raw")), map));
        addTimes(
          prisma,
          timesByFunction(await inWorker((send, o) => coldProfileOf(send, o, found.prisma, "prisma")), map),
        );
      }
    } else {
      await inWorker(async (send, origin) => {
        addTimes(raw, timesByFunction(await warmProfileOf(send, origin, found.raw, requests), map));
        addTimes(prisma, timesByFunction(await warmProfileOf(send, origin, found.prisma, requests), map));
      });
    }
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) / requests;
    const what = values.cold ? `the first request of ${requests} fresh isolates` : `${requests} requests`;
    log(`${found.name} (${transport}), ${what} each, sampled CPU per request:`);
    log(`raw ${total(raw.self).toFixed(2)} ms, prisma ${total(prisma.self).toFixed(2)} ms`);
    for (const kind of ["self", "inclusive"] as const) {
      log(`Prisma's extra ${kind} time per request, by function (Prisma's side − raw's):`);
      const extra = [...prisma[kind]].map(([k, ms]) => [k, (ms - (raw[kind].get(k) ?? 0)) / requests] as const);
      extra.sort((a, b) => b[1] - a[1]);
      for (const [k, ms] of extra.slice(0, Number(values.top))) log(`${(ms * 1000).toFixed(0).padStart(5)} µs  ${k}`);
    }
  } finally {
    bundle.dispose();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[profile] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
