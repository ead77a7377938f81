// Serves the Worker against a local stack: the one place that decides what the Worker is bound
// to locally and how wrangler is started for it.
//  - interactive (npm run dev): the `wrangler dev` CLI in this terminal, with its reload and hotkeys;
//  - otherwise (tests, bench, reliability): wrangler's dev server in-process, in a fresh workerd
//    (so a fresh isolate), no file watching (an edit elsewhere must not restart it mid-run).
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "@starter/prisma-offline";
import { unstable_startWorker } from "wrangler";
import type { LocalStack } from "./stack.js";

export interface ServeWorkerOptions {
  /** More bindings, as .dev.vars would give them (plain text); they win over the stack's. */
  bindings?: Record<string, string>;
  /** Another entry built with the same wrangler.toml (the bench Worker); paths from the repository root. */
  entrypoint?: string;
  config?: string;
  /** 0/omitted → a free port (interactive: 8787). */
  port?: number;
  logLevel?: "none" | "error";
  interactive?: boolean;
}

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
  // .env holds DIRECT_URL for the Node scripts: wrangler must not hand it to the Worker.
  const env = { ...process.env, CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false" };
  const config = path.resolve(PROJECT_ROOT, opts.config ?? "wrangler.toml");
  const entrypoint = opts.entrypoint ? path.resolve(PROJECT_ROOT, opts.entrypoint) : undefined;

  if (opts.interactive) {
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

  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV;
  const worker = await unstable_startWorker({
    config,
    ...(entrypoint ? { entrypoint } : {}),
    bindings: Object.fromEntries(
      Object.entries(bindings).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port: opts.port ?? 0 },
      inspector: false,
      logLevel: opts.logLevel ?? "error",
      watch: false,
    },
  });
  return { origin: (await worker.url).origin, dispose: () => worker.dispose() };
}
