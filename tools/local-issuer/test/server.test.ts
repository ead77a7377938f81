// The issuer over HTTP: a JWKS with public members only, a discovery document, each fault doing
// what it says, per-URL fetch counts, key publishing (public halves only), and no web page let in.
import { request } from "node:http";
import { createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateIssuerKeys } from "../src/keys.js";
import { type LocalIssuer, PUBLISH_PATH, STATS_PATH, startLocalIssuer } from "../src/server.js";

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer({ keys: await generateIssuerKeys() });
});
afterAll(() => issuer?.stop());

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const jwksOf = async (url = issuer.jwksUrl) =>
  ((await (await fetch(url)).json()) as { keys: Array<Record<string, unknown>> }).keys;
const publish = (body: unknown) =>
  fetch(`${issuer.origin}${PUBLISH_PATH}`, { method: "POST", body: JSON.stringify(body) });

/** A request under any Host and Origin, as a DNS-rebinding page's arrives (fetch cannot set Host). */
function rawRequest(
  urlPath: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: issuer.port, path: urlPath, method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the JWKS and discovery", () => {
  it("serves the three public keys, with alg and use:sig and no private member", async () => {
    const response = await fetch(issuer.jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    const keys = ((await response.json()) as { keys: Array<Record<string, unknown>> }).keys;
    expect(keys.map((key) => [key.kid, key.alg, key.use])).toEqual(issuer.keys.map((k) => [k.kid, k.alg, "sig"]));
    for (const key of keys) for (const name of PRIVATE_MEMBERS) expect(key, name).not.toHaveProperty(name);
  });

  it("describes itself at /.well-known/openid-configuration", async () => {
    const discovery = await (await fetch(`${issuer.origin}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      issuer: issuer.origin,
      jwks_uri: issuer.jwksUrl,
      id_token_signing_alg_values_supported: ["RS256", "ES256", "EdDSA"],
    });
  });

  it("answers 404 to unknown paths and 405 to other methods", async () => {
    expect((await fetch(`${issuer.origin}/token`, { method: "POST" })).status).toBe(404);
    const post = await fetch(issuer.jwksUrl, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect((await fetch(`${issuer.origin}${PUBLISH_PATH}`)).status).toBe(405);
  });
});

describe("the faults", () => {
  const fault = (name: string) => `${issuer.origin}/faults/${name}/jwks.json?t=faults`;

  it("/faults/500 fails", async () => {
    expect((await fetch(fault("500"))).status).toBe(500);
  });

  it("/faults/hang never answers", async () => {
    const hung = await fetch(fault("hang"), { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect(hung).toMatchObject({ name: "TimeoutError" });
  });

  it("/faults/garbage answers 200 with a body that is not JSON", async () => {
    const response = await fetch(fault("garbage"));
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it("/faults/redirect answers 302 to the real JWKS, its query kept", async () => {
    const response = await fetch(fault("redirect"), { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${issuer.jwksUrl}?t=faults`);
  });

  it("each fails a verifier that the real JWKS satisfies", async () => {
    const key = issuer.keys[2]!;
    const token = await new SignJWT({ sub: "alice" })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(await importJWK(key.privateJwk, key.alg));
    await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUrl)));
    for (const name of ["500", "hang", "garbage", "redirect"]) {
      const keys = createRemoteJWKSet(new URL(fault(name)), { timeoutDuration: 300 });
      await expect(jwtVerify(token, keys), name).rejects.toThrow();
    }
  });
});

describe("the stats", () => {
  it("count JWKS fetches, faulty ones too, per full URL with its query", async () => {
    const url = (path: string, tag: string) => `${issuer.origin}${path}?t=${tag}`;
    await jwksOf(url("/.well-known/jwks.json", "stats-a"));
    await jwksOf(url("/.well-known/jwks.json", "stats-a"));
    await jwksOf(url("/.well-known/jwks.json", "stats-b"));
    await fetch(url("/faults/500/jwks.json", "stats-a"));
    // Under another loopback name it still counts under the issuer's origin.
    await rawRequest("/.well-known/jwks.json?t=stats-b", { Host: `localhost:${issuer.port}` });
    const stats = (await (await fetch(`${issuer.origin}${STATS_PATH}`)).json()) as { jwks: Record<string, number> };
    expect(stats.jwks).toMatchObject({
      [url("/.well-known/jwks.json", "stats-a")]: 2,
      [url("/.well-known/jwks.json", "stats-b")]: 2,
      [url("/faults/500/jwks.json", "stats-a")]: 1,
    });
    expect(issuer.jwksHits()).toEqual(stats.jwks);
  });
});

describe("publishing a key", () => {
  it("serves the public JWK from then on, so a token signed with its private half verifies", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "rotated-es256", alg: "ES256" };
    const token = await new SignJWT({ sub: "bob" })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
      .setIssuer(issuer.issuer)
      .setExpirationTime("1m")
      .sign(privateKey);
    const keys = createRemoteJWKSet(new URL(`${issuer.jwksUrl}?t=publish`), { cooldownDuration: 0 });
    await expect(jwtVerify(token, keys)).rejects.toThrow(/no applicable key/i);

    const response = await publish({ jwk });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ kid: "rotated-es256" });
    const served = (await jwksOf()).find((key) => key.kid === jwk.kid);
    expect(served).toEqual({ kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, kid: jwk.kid, alg: "ES256", use: "sig" });
    expect((await jwtVerify(token, keys, { issuer: issuer.issuer })).payload.sub).toBe("bob");
  });

  it("refuses a private JWK, an issuer's own kid, and a body that is not a signing JWK", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: "leaky", alg: "EdDSA" };
    const leaked = await publish({ jwk: privateJwk });
    expect(leaked.status).toBe(400);
    expect(await leaked.json()).toEqual({ message: "send the public JWK only (it has d)" });
    const { d: _private, ...publicJwk } = privateJwk;
    const own = await publish({ jwk: { ...publicJwk, kid: issuer.keys[0]!.kid } });
    expect(own.status).toBe(409);
    for (const body of [{ jwk: { ...publicJwk, alg: "HS256" } }, { jwk: { ...publicJwk, kid: "" } }, { key: {} }]) {
      expect((await publish(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await jwksOf()).map((key) => key.kid)).not.toContain("leaky");
  });
});

describe("the request guard", () => {
  it("refuses a foreign Host (DNS rebinding) and any Origin (a web page), and lets no page read", async () => {
    const foreign: Array<Record<string, string>> = [
      { Host: `evil.example:${issuer.port}` },
      { Host: `127.0.0.1:${issuer.port}`, Origin: "https://evil.example" },
      { Host: `localhost:${issuer.port}`, Origin: "null" },
    ];
    for (const headers of foreign) {
      for (const [method, path] of [
        ["GET", "/.well-known/jwks.json"],
        ["POST", PUBLISH_PATH],
      ] as const) {
        const refused = await rawRequest(path, headers, method);
        expect(refused.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
      }
    }
    for (const host of ["localhost", "127.0.0.1", "[::1]"]) {
      expect((await rawRequest("/.well-known/jwks.json", { Host: `${host}:${issuer.port}` })).status, host).toBe(200);
    }
  });
});
