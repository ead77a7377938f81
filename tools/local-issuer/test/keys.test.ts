// The keys: one per algorithm, named by their thumbprints, public halves with nothing private, and
// npm run dev's key file made once (0600), reused across restarts, put back to 0600 if widened.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { calculateJwkThumbprint, createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { keysFileIn } from "../src/dev-config.js";
import { startDevIssuer } from "../src/dev-issuer.js";
import { loadOrCreateKeys, readKeyFile } from "../src/key-file.js";
import { generateIssuerKeys, SIGNING_ALGS } from "../src/keys.js";
import { mintToken } from "../src/mint.js";

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "local-issuer-keys-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Each key type's public members, plus the names every served key carries. */
const PUBLIC = {
  RSA: ["kty", "n", "e", "kid", "alg", "use"],
  EC: ["kty", "crv", "x", "y", "kid", "alg", "use"],
  OKP: ["kty", "crv", "x", "kid", "alg", "use"],
};

describe("the issuer's keys", () => {
  it("are RS256 (2048), ES256 (P-256) and EdDSA (Ed25519), each named by its RFC 7638 thumbprint", async () => {
    const keys = await generateIssuerKeys();
    expect(keys.map((key) => key.alg)).toEqual([...SIGNING_ALGS]);
    expect(keys.map((key) => key.publicJwk.kty)).toEqual(["RSA", "EC", "OKP"]);
    expect(keys.map((key) => key.publicJwk.crv)).toEqual([undefined, "P-256", "Ed25519"]);
    expect(Buffer.from(keys[0]!.publicJwk.n!, "base64url").length * 8).toBe(2048);
    for (const key of keys) {
      expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, "sha256"));
      expect(key.publicJwk).toMatchObject({ kid: key.kid, alg: key.alg, use: "sig" });
      expect(Object.keys(key.publicJwk).sort()).toEqual([...PUBLIC[key.publicJwk.kty as keyof typeof PUBLIC]].sort());
      expect(key.privateJwk.d).toEqual(expect.any(String));
    }
  });
});

describe("npm run dev's key file", () => {
  it("is made once, 0600 in a 0700 folder, and reused after a restart: an old token still verifies", async () => {
    const dir = path.join(freshDir(), "issuer");
    const audience = "http://127.0.0.1:8787";
    const first = await startDevIssuer({ dir, port: 0, audience });
    const token = await mintToken(first.keys[2]!, { sub: "alice" }, { ...first.config, ttlSeconds: 60 });
    await first.stop();
    expect(statSync(keysFileIn(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    // Same port, so the same iss: what a developer's restarted `npm run dev` serves.
    const again = await startDevIssuer({ dir, port: first.port, audience });
    try {
      expect(again.keys.map((key) => key.kid)).toEqual(first.keys.map((key) => key.kid));
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(again.jwksUrl)), {
        issuer: again.issuer,
        audience,
      });
      expect(payload.sub).toBe("alice");
    } finally {
      await again.stop();
    }
  });

  it("is put back to 0600 when its mode was widened", async () => {
    const file = keysFileIn(freshDir());
    const made = await loadOrCreateKeys(file);
    chmodSync(file, 0o644);
    expect((await readKeyFile(file)).map((key) => key.kid)).toEqual(made.map((key) => key.kid));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("names itself and the fix when it is broken", async () => {
    const file = keysFileIn(freshDir());
    writeFileSync(file, "{nope", { mode: 0o600 });
    await expect(readKeyFile(file)).rejects.toThrow(`${file} is not JSON: delete it and npm run dev makes new keys`);
    writeFileSync(file, JSON.stringify({ keys: [] }));
    await expect(readKeyFile(file)).rejects.toThrow("has no RS256, ES256, EdDSA private key");
  });
});
