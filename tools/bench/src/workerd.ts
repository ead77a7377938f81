// A Worker's deploy bundle in plain workerd, the runtime Cloudflare runs, with nothing of
// wrangler's dev server around it. For cold starts: under the dev server, work the Worker does at
// module scope does not make its first request any cheaper (measured: docs/PERFORMANCE.md,
// "Cold start"), so only this shows what a fresh isolate costs in production.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "@starter/local-postgres";
import { unstable_readConfig } from "wrangler";
import { wrangler } from "./bundle";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** `wrangler deploy --dry-run` of an entry, with the same wrangler.toml as production. */
export interface DeployBundle {
  dir: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  dispose(): void;
}

export async function buildDeployBundle(
  entry: string,
  config = path.join(ROOT, "wrangler.toml"),
): Promise<DeployBundle> {
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-bundle-"));
  await wrangler(["deploy", "--dry-run", "--outdir", dir, "--config", config, path.resolve(ROOT, entry)]);
  const { compatibility_date, compatibility_flags } = unstable_readConfig({ config });
  if (!compatibility_date) throw new Error(`${config} has no compatibility_date`);
  return {
    dir,
    compatibilityDate: compatibility_date,
    compatibilityFlags: compatibility_flags,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PlainWorker {
  origin: string;
  /** What workerd printed so far (stdout and stderr: the Worker's console lines among them). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A new workerd process (so a fresh isolate) serving the bundle on 127.0.0.1. `hyperdrive`: the
 * origin of a HYPERDRIVE binding (as wrangler's dev server wires one: a TCP service at its address).
 * `inspectorPort`: workerd's DevTools inspector (for a CPU profile), off unless asked for.
 */
export async function startPlainWorkerd(
  bundle: DeployBundle,
  bindings: Record<string, string>,
  opts: { hyperdrive?: string; inspectorPort?: number } = {},
): Promise<PlainWorker> {
  const files = readdirSync(bundle.dir);
  const main = files.find((f) => f.endsWith(".js"));
  if (!main) throw new Error(`no .js in ${bundle.dir}`);
  const modules = [
    `(name = "${main}", esModule = embed "${main}")`,
    ...files.filter((f) => f.endsWith(".wasm")).map((f) => `(name = "${f}", wasm = embed "${f}")`),
  ];
  const port = await findFreePort();
  const hyperdrive = opts.hyperdrive ? new URL(opts.hyperdrive) : undefined;
  const hyperdriveService = hyperdrive
    ? `, (name = "hyperdrive", external = (address = "${hyperdrive.host}", tcp = ()))`
    : "";
  const hyperdriveBinding = hyperdrive
    ? `, (name = "HYPERDRIVE", hyperdrive = (designator = "hyperdrive", database = ${JSON.stringify(hyperdrive.pathname.slice(1))}, ` +
      `user = ${JSON.stringify(decodeURIComponent(hyperdrive.username))}, password = ${JSON.stringify(decodeURIComponent(hyperdrive.password))}, scheme = "postgresql"))`
    : "";
  const configFile = path.join(bundle.dir, `workerd-${port}.capnp`);
  writeFileSync(
    configFile,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "internet", network = (allow = ["public", "private", "local"]))${hyperdriveService} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(", ")} ],
  bindings = [ ${Object.entries(bindings)
    .map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
    .join(", ")}${hyperdriveBinding} ],
  compatibilityDate = "${bundle.compatibilityDate}",
  compatibilityFlags = [ ${bundle.compatibilityFlags.map((f) => JSON.stringify(f)).join(", ")} ],
);
`,
  );
  const inspector = opts.inspectorPort ? [`--inspector-addr=127.0.0.1:${opts.inspectorPort}`] : [];
  const child = spawn(workerdBinary(), ["serve", configFile, ...inspector], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  // Ready once the socket accepts connections. Not a request: the first request is what a cold
  // measurement is about. (workerd may listen before the Worker's startup has finished; a
  // request sent at once then waits for it.)
  for (let i = 0; !(await accepts(port)); i++) {
    if (child.exitCode !== null || i >= 200) {
      child.kill();
      throw new Error(`workerd did not start: ${output.trim().split("\n").slice(-3).join(" ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin,
    output: () => output,
    async stop() {
      child.kill();
      await exited;
      rmSync(configFile, { force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The workerd binary wrangler itself runs (its `workerd` package exports the path). */
function workerdBinary(): string {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
  return (fromWrangler("workerd") as { default: string }).default;
}
