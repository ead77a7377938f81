import { hex, sha256 } from "../lib/hash";

/**
 * `service:<hash>` when `presented` is the API_TOKEN service credential, else undefined (also when
 * none is set). Hashing both sides first makes them the same length, so the constant-time
 * comparison leaks neither the content nor the length of the token.
 */
export async function serviceCaller(presented: string, expected: string | undefined): Promise<string | undefined> {
  if (!expected) return undefined;
  const digest = await sha256(presented);
  if (!crypto.subtle.timingSafeEqual(digest, await sha256(expected))) return undefined;
  return `service:${hex(digest).slice(0, 32)}`;
}
