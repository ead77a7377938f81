// `npx tsx scripts/ci/smoke.ts <base-url> [--timeout-s N] [--interval-ms N]`: is a deployed Worker
// (a preview version, or production) up and wired to its database? In order:
//   GET /health                       → 200 {"status":"ok","database":"up",…}  (public; queries the database)
//   GET /users?limit=1 without token  → 401                                      (closed by default)
//   GET /users?limit=1 with API_TOKEN → 200 {"items":[…]}                        (an authenticated read)
// A fresh version can take seconds to answer and a scaled-to-zero Neon branch to wake, so each check
// is retried until it passes or the shared deadline (default 60 s) runs out. One line per check; a
// failure is one line on stderr naming the check and what came back, and exit code 1.
// API_TOKEN (environment) is the Worker's bearer token; it is never printed.
import { CiScriptError, isMain, numberFlag, parseCli, requireEnv, runMain } from "./actions.js";

export interface SmokeOptions {
  baseUrl: string;
  apiToken: string;
  timeoutMs?: number;
  intervalMs?: number;
  log?: (line: string) => void;
}

interface Check {
  name: string;
  path: string;
  auth: boolean;
  /** undefined: passed; else what was wrong. */
  verdict: (status: number, body: unknown) => string | undefined;
}

const CHECKS: Check[] = [
  {
    name: "GET /health",
    path: "/health",
    auth: false,
    verdict: (status, body) => {
      const b = body as { status?: unknown; database?: unknown } | undefined;
      if (status === 200 && b?.status === "ok" && b.database === "up") return undefined;
      return `expected 200 with status "ok", got ${status} ${describe(body)}`;
    },
  },
  {
    name: "GET /users without a token",
    path: "/users?limit=1",
    auth: false,
    verdict: (status) => (status === 401 ? undefined : `expected 401, got ${status}`),
  },
  {
    name: "GET /users with API_TOKEN",
    path: "/users?limit=1",
    auth: true,
    verdict: (status, body) => {
      if (status === 200 && Array.isArray((body as { items?: unknown } | undefined)?.items)) return undefined;
      return `expected 200 with an items list, got ${status} ${describe(body)}`;
    },
  },
];

function describe(body: unknown): string {
  if (body === undefined) return "(no JSON body)";
  const text = JSON.stringify(body);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function checkUrl(baseUrl: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new CiScriptError(`"${baseUrl}" is not a URL (expected e.g. https://pr-12-my-worker.me.workers.dev)`);
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new CiScriptError(`"${baseUrl}" is not http(s)`);
  return new URL(path, base.href.endsWith("/") ? base.href : `${base.href}/`);
}

export async function smoke(opts: SmokeOptions): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const intervalMs = opts.intervalMs ?? 2000;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (const check of CHECKS) {
    const url = checkUrl(opts.baseUrl, check.path.replace(/^\//, ""));
    const started = Date.now();
    let tries = 0;
    for (;;) {
      tries++;
      let problem: string | undefined;
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json", ...(check.auth ? { Authorization: `Bearer ${opts.apiToken}` } : {}) },
          redirect: "manual",
          signal: AbortSignal.timeout(Math.max(1000, Math.min(10_000, deadline - Date.now()))),
        });
        const text = await response.text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        problem = check.verdict(response.status, body);
        if (!problem) {
          log(`ok   ${check.name} → ${response.status} (${tries} ${tries === 1 ? "try" : "tries"})`);
          break;
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        problem = `no answer (${cause})`;
      }
      if (Date.now() + intervalMs >= deadline) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        throw new CiScriptError(`${check.name} failed: ${problem} (${tries} tries in ${seconds} s)`);
      }
      await sleep(intervalMs);
    }
  }
}

async function main(): Promise<void> {
  const usage = "smoke.ts <base-url> [--timeout-s N] [--interval-ms N]";
  const { values, positionals } = parseCli(
    { options: { "timeout-s": { type: "string" }, "interval-ms": { type: "string" } }, allowPositionals: true },
    usage,
  );
  const [baseUrl] = positionals;
  if (!baseUrl || positionals.length > 1) throw new CiScriptError(`usage: ${usage}`);
  const timeoutS = numberFlag(values["timeout-s"], "timeout-s");
  await smoke({
    baseUrl,
    apiToken: requireEnv("API_TOKEN", "the Worker's bearer token, for the authenticated read"),
    timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
    intervalMs: numberFlag(values["interval-ms"], "interval-ms"),
  });
}

if (isMain(import.meta.url)) runMain("smoke", main);
