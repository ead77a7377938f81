// `npx tsx scripts/ci/smoke.ts <base-url> [--timeout-s N] [--interval-ms N]`: is a deployed Worker
// (a preview version, or production) up and wired to its database? In order:
//   GET /health                       → 200 {"status":"ok","database":"up",…}  (public; queries the database)
//   GET <route> without token         → 401   (closed by default)
//   GET <route> with API_TOKEN        → 200   (an authenticated read)
// where <route> is the first GET of the Worker's own /openapi.json that needs the token and takes no
// path parameter (the demo's /users, or whatever routes yours are).
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

const HEALTH: Check = {
  name: "GET /health",
  path: "/health",
  auth: false,
  verdict: (status, body) => {
    const b = body as { status?: unknown; database?: unknown } | undefined;
    if (status === 200 && b?.status === "ok" && b.database === "up") return undefined;
    return `expected 200 with status "ok", got ${status} ${describe(body)}`;
  },
};

type OpenApi = { security?: unknown[]; paths?: Record<string, Record<string, { security?: unknown[] }>> };

/**
 * The closed-by-default checks, on the first GET route of the Worker's own /openapi.json that needs
 * the token and takes no path parameter (so no route of the demo is named here): 401 without the
 * token, 200 with it. None such (an API with only public routes): no check, said in a line.
 */
async function authenticatedChecks(opts: SmokeOptions, log: (line: string) => void): Promise<Check[]> {
  const headers = { Accept: "application/json", Authorization: `Bearer ${opts.apiToken}` };
  const res = await fetch(checkUrl(opts.baseUrl, "openapi.json"), { headers, redirect: "manual" });
  if (res.status !== 200) throw new CiScriptError(`GET /openapi.json failed: expected 200, got ${res.status}`);
  const doc = (await res.json()) as OpenApi;
  const path = Object.entries(doc.paths ?? {}).find(
    ([p, ops]) => !p.includes("{") && ops.get && (ops.get.security ?? doc.security ?? []).length > 0,
  )?.[0];
  if (!path) {
    log("skip the token checks: /openapi.json has no GET route that needs the token and takes no parameter");
    return [];
  }
  return [
    {
      name: `GET ${path} without a token`,
      path,
      auth: false,
      verdict: (status) => (status === 401 ? undefined : `expected 401, got ${status}`),
    },
    {
      name: `GET ${path} with API_TOKEN`,
      path,
      auth: true,
      verdict: (status, body) => (status === 200 ? undefined : `expected 200, got ${status} ${describe(body)}`),
    },
  ];
}

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
  // /health first: it also waits out a fresh version and a waking database.
  await runCheck(HEALTH, opts, deadline, intervalMs, log);
  for (const check of await authenticatedChecks(opts, log)) await runCheck(check, opts, deadline, intervalMs, log);
}

async function runCheck(
  check: Check,
  opts: SmokeOptions,
  deadline: number,
  intervalMs: number,
  log: (line: string) => void,
): Promise<void> {
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
