// GET on Neon's API for the scripts/ci/* steps: the key as a bearer, retries while Neon answers 423
// (an operation on a new branch still running) or a 5xx, and its errors as one line. Neon's errors are
// {"code", "message"}; the message names what is wrong, never a password.
import { CiScriptError } from "./actions.js";

export const NEON_API = "https://console.neon.tech/api/v2";

export interface NeonApiOptions {
  apiKey: string;
  apiHost?: string;
  /** Tries per request. */
  attempts?: number;
  backoffMs?: number;
}

const RETRIED = new Set([423, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function messageOf(text: string): string {
  try {
    return String((JSON.parse(text) as { message?: unknown }).message ?? "").split("\n")[0]!;
  } catch {
    return "";
  }
}

/** The parsed JSON of GET `path` (under the API's root), or one line: "could not get <what>: …". */
export async function neonGet(
  opts: NeonApiOptions,
  path: string,
  params: Record<string, string>,
  what: string,
): Promise<unknown> {
  const url = new URL(`${(opts.apiHost ?? NEON_API).replace(/\/+$/, "")}${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const attempts = Math.max(1, opts.attempts ?? 6);
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(Math.min((opts.backoffMs ?? 1000) * 2 ** (attempt - 2), 8000));
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${opts.apiKey}`, Accept: "application/json" },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      last = `Neon's API did not answer (${(error as Error).message})`;
      continue;
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CiScriptError(`could not get ${what}: Neon's API answered ${response.status} without JSON`);
      }
    }
    const message = messageOf(text);
    last = `Neon's API answered ${response.status}${message ? ` (${message})` : ""}`;
    if (!RETRIED.has(response.status)) break;
  }
  throw new CiScriptError(`could not get ${what}: ${last}`);
}
