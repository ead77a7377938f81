// Serves the Worker against a local stack: the one place that decides what the Worker is bound
// to locally and how wrangler is started for it.
//  - interactive (npm run dev): the `wrangler dev` CLI in this terminal, with its reload and hotkeys;
//  - otherwise (tests, bench, reliability): wrangler's dev server in-process, in a fresh workerd
//    (so a fresh isolate), no file watching (an edit elsewhere must not restart it mid-run).
// Hyperdrive: a [[hyperdrive]] binding in wrangler.toml gets the stack's TCP endpoint as its local
// connection string; without one, `hyperdrive: true` adds the binding (in-process only: the CLI
// cannot take a binding wrangler.toml does not declare, so npm run dev -- --hyperdrive runs the
// in-process server with file watching).
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "@starter/prisma-offline";
import { unstable_readConfig, unstable_startWorker } from "wrangler";
import type { LocalStack } from "./stack.js";

export interface ServeWorkerOptions {
  /** More bindings, as .dev.vars would give them (plain text); they win over the stack's. */
  bindings?: Record<string, string>;
  /** The HYPERDRIVE binding's origin instead of the stack's (e.g. one that is down). */
  hyperdriveUrl?: string;
  /** Another entry built with the same wrangler.toml (the bench Worker); paths from the repository root. */
  entrypoint?: string;
  config?: string;
  /** 0/omitted → a free port (interactive: 8787). */
  port?: number;
  logLevel?: "none" | "error" | "info";
  interactive?: boolean;
  /** Bind HYPERDRIVE to the stack's TCP endpoint, so every route takes the Hyperdrive path. */
  hyperdrive?: boolean;
}

/** The binding name the app reads (src/env.ts). */
const HYPERDRIVE_BINDING = "HYPERDRIVE";

export interface LocalWorker {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Resolves with wrangler's exit code when it stops on its own (interactive only). */
  exited?: Promise<number>;
  dispose(): Promise<void>;
}

/** Serves the Worker; `stack` undefined → no database bindings (e.g. /docs alone). */
export async function serveWorker(stack: LocalStack | undefined, opts: ServeWorkerOptions = {}): Promise<LocalWorker> {
  const bindings = { ...stack?.workerBindings, ...opts.bindings };
  // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker. And no
  // fetch of Request.cf's data from Cloudflare: offline it fails after ~2 s and prints a warning
  // with a stack trace on every start (set CLOUDFLARE_CF_FETCH_ENABLED=true to have it).
  // STARTER_LOCAL_STACK tells wrangler's [build] hook (scripts/wrangler-build.mjs) who started it.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STARTER_LOCAL_STACK: "1",
    CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
  };
  const config = path.resolve(PROJECT_ROOT, opts.config ?? "wrangler.toml");
  const entrypoint = opts.entrypoint ? path.resolve(PROJECT_ROOT, opts.entrypoint) : undefined;
  const declared = unstable_readConfig({ config }).hyperdrive.some(
    (h: { binding: string }) => h.binding === HYPERDRIVE_BINDING,
  );
  // wrangler dev refuses a declared binding without a local string; this one overrides the file's.
  const localString = `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_${HYPERDRIVE_BINDING}`;
  const hyperdriveUrl = opts.hyperdriveUrl ?? stack?.hyperdriveUrl;
  if (declared && hyperdriveUrl && !env[localString]) env[localString] = hyperdriveUrl;

  if (opts.interactive && (declared || !opts.hyperdrive)) {
    const port = opts.port || 8787;
    const args = [path.join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--config", config];
    if (entrypoint) args.push(entrypoint);
    args.push("--port", String(port), "--ip", "127.0.0.1");
    for (const [key, value] of Object.entries(bindings)) args.push("--var", `${key}:${value}`);
    const wrangler = spawn(process.execPath, args, { stdio: "inherit", env });
    const exited = new Promise<number>((resolve) => wrangler.on("exit", (code) => resolve(code ?? 0)));
    return {
      origin: `http://127.0.0.1:${port}`,
      exited,
      async dispose() {
        if (wrangler.exitCode === null) wrangler.kill("SIGINT");
        await exited;
      },
    };
  }

  // In-process, wrangler reads this process's environment.
  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";
  process.env.STARTER_LOCAL_STACK = "1";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = env.CLOUDFLARE_CF_FETCH_ENABLED;
  if (env[localString]) process.env[localString] = env[localString];
  const hyperdrive =
    opts.hyperdrive && hyperdriveUrl && !declared
      ? {
          [HYPERDRIVE_BINDING]: {
            type: "hyperdrive" as const,
            id: "local",
            localConnectionString: hyperdriveUrl,
          },
        }
      : {};
  const signalListeners = () => [...process.listeners("SIGINT"), ...process.listeners("SIGTERM")];
  const before = new Set(signalListeners());
  const worker = await unstable_startWorker({
    config,
    ...(entrypoint ? { entrypoint } : {}),
    bindings: {
      ...Object.fromEntries(
        Object.entries(bindings).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
      ),
      ...hyperdrive,
    },
    dev: {
      server: { hostname: "127.0.0.1", port: opts.port ?? 0 },
      inspector: false,
      logLevel: opts.logLevel ?? (opts.interactive ? "info" : "error"),
      // npm run dev -- --hyperdrive reloads on edits like wrangler dev; tests and the bench never do.
      watch: Boolean(opts.interactive),
    },
  });
  if (opts.interactive) {
    // Miniflare's own Ctrl-C handler exits at once (130), cutting the caller's cleanup short; the
    // caller's shutdown (npm run dev's) disposes of the Worker instead.
    for (const listener of signalListeners()) {
      if (before.has(listener)) continue;
      process.removeListener("SIGINT", listener as NodeJS.SignalsListener);
      process.removeListener("SIGTERM", listener as NodeJS.SignalsListener);
    }
  }
  return { origin: (await worker.url).origin, dispose: () => worker.dispose() };
}
