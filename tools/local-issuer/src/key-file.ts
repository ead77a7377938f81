// npm run dev's keys live in a file, so tokens minted yesterday still verify after a restart.
// Private keys: the file is 0600 in a 0700 folder, and created whole (a temp file linked into place,
// so a second dev starting at the same moment reads a complete file or makes none).
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { JWK } from "jose";
import { generateIssuerKeys, type IssuerKey, isSigningAlg, issuerKeyOf, SIGNING_ALGS } from "./keys.js";

/** The keys in `file`, made (one per algorithm) when it does not exist yet. */
export async function loadOrCreateKeys(file: string): Promise<IssuerKey[]> {
  if (!existsSync(file)) {
    const keys = await generateIssuerKeys();
    if (createKeyFile(file, keys)) return keys;
  }
  return readKeyFile(file);
}

/** The keys a key file holds; an error naming the file when it is not what this package wrote. */
export async function readKeyFile(file: string): Promise<IssuerKey[]> {
  // A copy or an unpack may have widened it; these are private keys.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const broken = (why: string) => new Error(`${file} ${why}: delete it and npm run dev makes new keys`);
  let jwks: { keys?: unknown } | null;
  try {
    jwks = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw broken("is not JSON");
  }
  const keys: IssuerKey[] = [];
  for (const jwk of Array.isArray(jwks?.keys) ? (jwks.keys as JWK[]) : []) {
    if (isSigningAlg(jwk.alg) && jwk.d) keys.push(await issuerKeyOf(jwk, jwk.alg));
  }
  const missing = SIGNING_ALGS.filter((alg) => !keys.some((key) => key.alg === alg));
  if (missing.length > 0) throw broken(`has no ${missing.join(", ")} private key`);
  return keys;
}

/** Writes the key file unless another process made it first (false then: read theirs). */
function createKeyFile(file: string, keys: IssuerKey[]): boolean {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ keys: keys.map((key) => key.privateJwk) }, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}
