// JWT authentication against the local issuer's JWKS (tools/local-issuer): real keys, real
// signatures, real fetches. Every forged, expired or malformed token is a 401 problem with RFC
// 6750's challenge; a JWKS that cannot be read is a 503 + Retry-After, never a 200 or a 500.
// Cache-sensitive tests use a JWKS URL of their own (`?t=<uuid>`), so they start cold and count
// exactly their own fetches. Runs on a frame of src/api.ts with one protected route, no database.
import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createApi } from "../../src/api";
import { JWKS_FETCH_TIMEOUT_MS, JWKS_OUTAGE_SECONDS } from "../../src/auth/jwks";
import type { Bindings } from "../../src/env";
import { hex, sha256 } from "../../src/lib/hash";
import { callApp, problemOf, TOKEN } from "./helpers";
import { bearer, issuerUrls, jwksHits, type SignTokenOptions, signToken } from "./tokens";

afterEach(() => vi.restoreAllMocks());

const issuer = inject("issuer");

/** A protected route that shows who auth says is calling. */
const whoami = createApi().get("/whoami", (c) => c.json({ principal: c.var.principal, caller: c.var.caller }));

/** A JWKS URL of the test's own (`?t=<uuid>`): a cold key cache, and its own fetch count. */
const ownUrls = () => issuerUrls(crypto.randomUUID());

/** The issuer's settings, the defaults, and a JWKS URL of the test's own unless it names one. */
const jwtOn = (overrides: Partial<Bindings> = {}): Partial<Bindings> => ({
  JWKS_URL: ownUrls().jwks,
  JWT_ISSUER: issuer.issuer,
  JWT_AUDIENCE: issuer.audience,
  JWT_ROLE_CLAIM: "",
  JWT_CLOCK_SKEW_SECONDS: "",
  JWKS_REFETCH_COOLDOWN_SECONDS: "",
  ...overrides,
});

const ask = (token: string | undefined, overrides: Partial<Bindings> = jwtOn()) =>
  callApp(whoami, overrides, "/whoami", { anonymous: true, headers: token === undefined ? {} : bearer(token) });

const now = () => Math.floor(Date.now() / 1000);

/** A token of a user of its own (unless `claims` names the sub), signed as tokens.ts does. */
const sign = (claims: Record<string, unknown> = {}, options: SignTokenOptions = {}) =>
  signToken({ sub: `u-${crypto.randomUUID()}`, ...claims }, options);

/** A key pair the issuer does not hold: its private JWK. */
const foreignKey = async (alg: "RS256" | "ES256") =>
  (await exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)) as JsonWebKey;

/** A token from made-up header and payload objects, with any signature. */
const unsigned = (header: object, payload: object, signature = "") =>
  `${[header, payload].map((part) => base64url.encode(JSON.stringify(part))).join(".")}.${signature}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const urlOf = (input: RequestInfo | URL) => (input instanceof Request ? input.url : String(input));

/** From now on, fetches of `url` fail as an unreachable host does (the spy counts the attempts). */
function failFetches(url: string) {
  const realFetch = globalThis.fetch;
  return vi
    .spyOn(globalThis, "fetch")
    .mockImplementation((input, init) =>
      urlOf(input) === url
        ? Promise.reject(new TypeError("Network connection lost."))
        : realFetch.call(globalThis, input, init),
    );
}
const attempts = (spy: ReturnType<typeof failFetches>, url: string) =>
  spy.mock.calls.filter(([input]) => urlOf(input) === url).length;

const CHALLENGE = /^Bearer realm="api", error="invalid_token", error_description="([\x20\x21\x23-\x5b\x5d-\x7e]+)"$/;

/** A 401 problem with the invalid_token challenge; neither repeats the token. Returns the description. */
async function refused(res: Response, token?: string): Promise<string> {
  expect(res.status).toBe(401);
  const challenge = res.headers.get("WWW-Authenticate") ?? "";
  expect(challenge).toMatch(CHALLENGE);
  const problem = await problemOf(res);
  expect(problem.type).toBe("urn:problem-type:invalid-token");
  if (token) expect(JSON.stringify(problem) + challenge).not.toContain(token.slice(0, 40));
  return CHALLENGE.exec(challenge)![1]!;
}

async function unavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get("Retry-After")).toBe(String(JWKS_OUTAGE_SECONDS));
  expect((await problemOf(res)).type).toBe("urn:problem-type:issuer-unavailable");
}

async function accepted(res: Response) {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as { principal: Record<string, unknown>; caller: string };
}

describe("accepted tokens", () => {
  it.each(["RS256", "ES256", "EdDSA"] as const)("%s: the principal is the token's user", async (alg) => {
    const sub = `u-${crypto.randomUUID()}`;
    const body = await accepted(await ask(await sign({ sub, email: "a@example.test", name: "A" }, { alg })));
    expect(body.principal).toEqual({
      kind: "user",
      issuer: issuer.issuer,
      subject: sub,
      admin: false,
      email: "a@example.test",
      name: "A",
    });
    expect(body.caller).toBe(`user:${hex(await sha256(`${issuer.issuer}\n${sub}`)).slice(0, 32)}`);
  });

  it("admin from the role claim: a string, or an array under a configured (URL) claim name", async () => {
    const admin = async (claims: Record<string, unknown>, roleClaim = "") =>
      (await accepted(await ask(await sign(claims), jwtOn({ JWT_ROLE_CLAIM: roleClaim })))).principal.admin;
    expect(await admin({ role: "admin" })).toBe(true);
    expect(await admin({ role: "administrator" })).toBe(false);
    expect(await admin({ role: ["editor", "admin"] })).toBe(true);
    const claim = "https://api.example.test/roles";
    expect(await admin({ [claim]: ["editor", "admin"] }, claim)).toBe(true);
    expect(await admin({ role: "admin" }, claim)).toBe(false);
  });

  it("exp and nbf within the clock skew (30 s) are accepted", async () => {
    await accepted(await ask(await sign({}, { expiresIn: -10 })));
    await accepted(await ask(await sign({}, { notBefore: 10 })));
  });
});

describe("refused tokens: 401 invalid_token", () => {
  it("alg none and HS256 keyed with the RSA public key, without a JWKS fetch", async () => {
    const url = ownUrls().jwks;
    const rs = issuer.keys.find((key) => key.alg === "RS256")!;
    const claims = { iss: issuer.issuer, aud: issuer.audience, sub: "mallory", exp: now() + 600 };
    const none = unsigned({ alg: "none", kid: rs.kid, typ: "JWT" }, claims);
    const { n, e } = rs.privateJwk;
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: rs.kid })
      .sign(new TextEncoder().encode(JSON.stringify({ kty: "RSA", n, e })));
    for (const token of [none, hs256]) {
      expect(await refused(await ask(token, jwtOn({ JWKS_URL: url })), token)).toBe(
        "The token's algorithm is not accepted.",
      );
    }
    expect(await jwksHits(url)).toBe(0);
  });

  it("a token signed by a key the issuer does not hold, under one of its kids", async () => {
    const token = await sign({}, { alg: "RS256", privateJwk: await foreignKey("RS256") });
    expect(await refused(await ask(token), token)).toBe("The token's signature is not valid.");
  });

  it("a tampered payload", async () => {
    const [header, , signature] = (await sign({ role: "user" })).split(".");
    const payload = base64url.encode(
      JSON.stringify({ iss: issuer.issuer, aud: issuer.audience, sub: "x", role: "admin" }),
    );
    const token = `${header}.${payload}.${signature}`;
    expect(await refused(await ask(token), token)).toBe("The token's signature is not valid.");
  });

  it("an unknown kid: no JWKS fetch within the cooldown", async () => {
    const url = ownUrls().jwks;
    await accepted(await ask(await sign(), jwtOn({ JWKS_URL: url })));
    expect(await jwksHits(url)).toBe(1);
    const privateJwk = await foreignKey("ES256");
    for (let i = 0; i < 5; i++) {
      const token = await sign({}, { alg: "ES256", kid: `unknown-${crypto.randomUUID()}`, privateJwk });
      expect(await refused(await ask(token, jwtOn({ JWKS_URL: url })))).toBe("The token's signing key is not known.");
    }
    expect(await jwksHits(url)).toBe(1);
  });

  it("no kid, without a JWKS fetch", async () => {
    const url = ownUrls().jwks;
    expect(await refused(await ask(await sign({}, { kid: null }), jwtOn({ JWKS_URL: url })))).toBe(
      "The token has no key id.",
    );
    expect(await jwksHits(url)).toBe(0);
  });

  it.each<[string, Record<string, unknown>, SignTokenOptions, string]>([
    ["expired beyond the skew (30 s)", {}, { expiresIn: -60 }, "The token has expired."],
    ["nbf beyond the skew", {}, { notBefore: 60 }, "The token is not valid yet."],
    ["another audience", {}, { audience: "https://other-api.example.test" }, "The token is for another audience."],
    ["another issuer", {}, { issuer: "https://evil.example.test" }, "The token is from another issuer."],
    ["no exp", {}, { expiresIn: null }, "The token lacks a required claim."],
    ["no sub", { sub: undefined }, {}, "The token lacks a required claim."],
    ["an empty sub", { sub: "" }, {}, "The token has no subject."],
    ["a sub that is not a string", { sub: 42 }, {}, "The token has no subject."],
  ])("%s", async (_name, claims, options, description) => {
    const token = await sign(claims, options);
    expect(await refused(await ask(token), token)).toBe(description);
  });

  it("a token over 8 KiB, before it is decoded or any key fetched", async () => {
    const url = ownUrls().jwks;
    for (const token of [await sign({ padding: "x".repeat(8 * 1024) }), "x".repeat(9000)]) {
      expect(await refused(await ask(token, jwtOn({ JWKS_URL: url })), token)).toBe("The token is too large.");
    }
    expect(await jwksHits(url)).toBe(0);
  });

  it("malformed: bad base64url in each part, 2 or 4 parts, a header that is not JSON, an array payload", async () => {
    const parts = (await sign()).split(".");
    const malformed = [
      ...[0, 1, 2].map((i) => parts.map((part, j) => (i === j ? `${part.slice(0, 10)}$%*${part.slice(10)}` : part))),
      parts.slice(0, 2),
      [...parts, parts[2]!],
      [base64url.encode("not json"), parts[1]!, parts[2]!],
      [parts[0]!, base64url.encode("[1,2]"), parts[2]!],
    ].map((p) => p.join("."));
    for (const token of [...malformed, "opaque-0123456789", "a.b.c"]) await refused(await ask(token), token);
  });
});

describe("credentials: API_TOKEN, JWT, neither", () => {
  it("no credential, or another scheme: the bare challenge (RFC 6750 §3.1)", async () => {
    const headerSets: Record<string, string>[] = [
      {},
      { Authorization: `Basic ${btoa("a:b")}` },
      { Authorization: "Bearer " },
    ];
    for (const headers of headerSets) {
      const res = await callApp(whoami, jwtOn(), "/whoami", { anonymous: true, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
      await problemOf(res);
    }
  });

  it("Cloudflare Access's Cf-Access-Jwt-Assertion, without an Authorization header, is verified like a bearer JWT", async () => {
    const viaAccess = (token: string, headers: Record<string, string> = {}) =>
      callApp(whoami, jwtOn(), "/whoami", {
        anonymous: true,
        headers: { "Cf-Access-Jwt-Assertion": token, ...headers },
      });
    expect((await accepted(await viaAccess(await sign()))).principal.kind).toBe("user");
    await refused(await viaAccess(await sign({}, { audience: "https://someone-else.example" })));
    // An Authorization header decides: the assertion is not a second chance for a bad bearer token.
    await refused(await viaAccess(await sign(), { Authorization: "Bearer not-a-token" }));
  });

  it("API_TOKEN and JWT both on: the service credential and a user each get their principal", async () => {
    const service = await accepted(await ask(TOKEN, jwtOn()));
    expect(service).toEqual({
      principal: { kind: "service" },
      caller: `service:${hex(await sha256(TOKEN)).slice(0, 32)}`,
    });
    expect((await accepted(await ask(await sign(), jwtOn()))).principal.kind).toBe("user");
  });

  it("API_TOKEN off: its old value is just an invalid token; JWTs still work", async () => {
    const off = jwtOn({ API_TOKEN: undefined });
    await refused(await ask(TOKEN, off));
    await accepted(await ask(await sign(), off));
  });

  it("JWT off (no JWKS_URL): a valid JWT is refused, the service credential works", async () => {
    const off = { JWKS_URL: undefined };
    const token = await sign();
    expect(await refused(await ask(token, off), token)).toBe("The token is not valid.");
    expect((await accepted(await ask(TOKEN, off))).principal).toEqual({ kind: "service" });
  });

  it("both off: everything protected is refused, with an error log", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const off = { JWKS_URL: undefined, API_TOKEN: undefined };
    await refused(await ask(TOKEN, off));
    await refused(await ask(await sign(), off));
    expect(errors.mock.calls.join("\n")).toContain("API_TOKEN is not set and JWT auth is off");
  });
});

describe("the JWKS cannot be read: 503 + Retry-After", () => {
  it.each(["status500", "garbage", "redirect", "hang"] as const)(
    "/faults/%s: 503, then 503 at once (no fetch) while the outage lasts",
    async (fault) => {
      vi.spyOn(console, "error").mockImplementation(() => {});
      const url = ownUrls().faults[fault];
      const token = await sign();
      const started = Date.now();
      await unavailable(await ask(token, jwtOn({ JWKS_URL: url })));
      expect(Date.now() - started).toBeLessThan(JWKS_FETCH_TIMEOUT_MS + 2_000);
      expect(await jwksHits(url)).toBe(1);
      const again = Date.now();
      await unavailable(await ask(token, jwtOn({ JWKS_URL: url })));
      expect(Date.now() - again).toBeLessThan(1_000);
      expect(await jwksHits(url)).toBe(1);
    },
  );

  it("unreachable: 503", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await unavailable(await ask(await sign(), jwtOn({ JWKS_URL: "http://127.0.0.1:1/jwks.json" })));
  });

  it("recovers once the outage ends: the next request after it fetches again and is accepted", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const url = ownUrls().jwks;
    const down = failFetches(url);
    const token = await sign();
    await unavailable(await ask(token, jwtOn({ JWKS_URL: url })));
    await unavailable(await ask(token, jwtOn({ JWKS_URL: url })));
    expect(attempts(down, url)).toBe(1);
    down.mockRestore();
    // The breaker's clock moved past the outage, instead of the test waiting it out.
    const later = Date.now() + JWKS_OUTAGE_SECONDS * 1000 + 200;
    vi.spyOn(Date, "now").mockImplementation(() => later);
    await accepted(await ask(token, jwtOn({ JWKS_URL: url })));
    expect(await jwksHits(url)).toBe(1);
  });

  it("an outage met by an unknown kid's refetch: known kids still verify with the keys last read", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const url = ownUrls().jwks;
    const settings = jwtOn({ JWKS_URL: url, JWKS_REFETCH_COOLDOWN_SECONDS: "1" });
    await accepted(await ask(await sign(), settings));
    const down = failFetches(url);
    await sleep(1_100); // past the cooldown: an unknown kid refetches
    const privateJwk = await foreignKey("ES256");
    const unknown = await sign({}, { alg: "ES256", kid: `unknown-${crypto.randomUUID()}`, privateJwk });
    await unavailable(await ask(unknown, settings));
    expect(attempts(down, url)).toBe(1);
    await accepted(await ask(await sign(), settings));
    await unavailable(await ask(unknown, settings));
    expect(attempts(down, url)).toBe(1);
  });
});

describe("key rotation", () => {
  it("a key published after the cooldown: its tokens accepted after exactly one refetch", async () => {
    const url = ownUrls().jwks;
    const settings = jwtOn({ JWKS_URL: url, JWKS_REFETCH_COOLDOWN_SECONDS: "1" });
    await accepted(await ask(await sign(), settings));
    expect(await jwksHits(url)).toBe(1);

    const kid = `rotated-${crypto.randomUUID()}`;
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const publish = await fetch(`${issuer.baseUrl}/_local-issuer/publish`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } }),
    });
    expect(publish.status).toBe(201);
    await publish.body?.cancel();
    const rotated = await sign({}, { alg: "ES256", kid, privateJwk: (await exportJWK(privateKey)) as JsonWebKey });

    await sleep(1_100);
    await accepted(await ask(rotated, settings));
    expect(await jwksHits(url)).toBe(2);
    await accepted(await ask(rotated, settings));
    await accepted(await ask(await sign(), settings));
    expect(await jwksHits(url)).toBe(2);
  });
});
