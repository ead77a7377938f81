// Cloudflare's REST API for the scripts/ci/* steps that wrangler has no command for, with wrangler's
// own settings: CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, and CLOUDFLARE_API_BASE_URL (default the
// public API; the tests point it at a stand-in). Errors are one line naming Cloudflare's message.
import { CiScriptError, requireEnv } from "./actions.js";

export interface CloudflareAccount {
  baseUrl: string;
  token: string;
  accountId: string;
}

export function accountFromEnv(): CloudflareAccount {
  return {
    baseUrl: process.env.CLOUDFLARE_API_BASE_URL || "https://api.cloudflare.com/client/v4",
    token: requireEnv("CLOUDFLARE_API_TOKEN", "a Cloudflare API token"),
    accountId: requireEnv("CLOUDFLARE_ACCOUNT_ID", "the Cloudflare account's id"),
  };
}

/** `method` on /accounts/<id><path>; the envelope's `result`. */
export async function cloudflare(
  account: CloudflareAccount,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = `${account.baseUrl.replace(/\/+$/, "")}/accounts/${encodeURIComponent(account.accountId)}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${account.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CiScriptError(`Cloudflare's API did not answer ${method} ${path} (${(error as Error).message})`);
  }
  const envelope = (await response.json().catch(() => ({}))) as {
    success?: boolean;
    result?: unknown;
    errors?: Array<{ message?: string }>;
  };
  if (!response.ok || envelope.success === false) {
    const message = envelope.errors?.[0]?.message;
    throw new CiScriptError(
      `Cloudflare answered ${response.status} to ${method} ${path}${message ? ` (${message})` : ""}`,
    );
  }
  return envelope.result;
}
