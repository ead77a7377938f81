// `npx tsx scripts/ci/expires-at.ts [days]`: the preview Neon branch's time to live, as the RFC 3339
// UTC timestamp create-branch-action's `expires_at` takes (default 14 days from now). Neon deletes
// the branch then even if the PR-closed cleanup never ran; a PR still open gets a fresh branch on its
// next push. Prints the timestamp and sets the step output `expires_at`.
import { CiScriptError, isMain, runMain, setOutput } from "./actions.js";

export const DEFAULT_TTL_DAYS = 14;
/** Neon's limit for a branch's expiration, counted from now. */
export const MAX_TTL_DAYS = 30;

export function expiresAt(days: number, now: Date = new Date()): string {
  if (!Number.isInteger(days) || days < 1 || days > MAX_TTL_DAYS) {
    throw new CiScriptError(`the TTL must be a whole number of days from 1 to ${MAX_TTL_DAYS} (got ${days})`);
  }
  // Whole seconds: "2026-12-15T10:00:00Z", the form Neon's API documents.
  return new Date(now.getTime() + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg !== undefined && !/^\d+$/.test(arg)) throw new CiScriptError(`expected a number of days, got "${arg}"`);
  const days = arg === undefined ? DEFAULT_TTL_DAYS : Number(arg);
  const at = expiresAt(days);
  setOutput("expires_at", at);
  console.log(at);
}

if (isMain(import.meta.url)) runMain("expires-at", main);
