// The JWT test plumbing itself: the Worker is bound to the run's issuer, and tokens signed here
// in workerd verify against its JWKS as fetched from workerd (what the auth middleware will do).
import { env } from "cloudflare:workers";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, inject, it } from "vitest";
import { bearer, issuerUrls, jwksHits, signToken, userToken } from "./tokens";

const bindings = env as unknown as Record<string, string | undefined>;

describe("test/worker/tokens.ts", () => {
  it("the Worker's JWKS_URL, JWT_ISSUER and JWT_AUDIENCE are the run's issuer", () => {
    const issuer = inject("issuer");
    expect(bindings).toMatchObject({
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
    });
  });

  it.each(["EdDSA", "RS256", "ES256"] as const)("a %s token verifies against the JWKS, fetched once", async (alg) => {
    const urls = issuerUrls(crypto.randomUUID());
    const token = await signToken({ sub: "alice", role: "admin" }, { alg });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(urls.jwks)), {
      issuer: bindings.JWT_ISSUER,
      audience: bindings.JWT_AUDIENCE,
      algorithms: [alg],
      requiredClaims: ["exp", "sub"],
    });
    expect(payload).toMatchObject({ sub: "alice", role: "admin" });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(await jwksHits(urls.jwks)).toBe(1);
  });

  it("leaves out what a test asks to, and moves the times", async () => {
    const token = await signToken({ sub: "x" }, { kid: null, expiresIn: null, issuer: null, notBefore: 60 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "EdDSA", typ: "JWT" });
    const payload = decodeJwt(token);
    expect(Object.keys(payload).sort()).toEqual(["aud", "iat", "nbf", "sub"]);
    expect(payload.nbf! - payload.iat!).toBe(60);
    expect(bearer(await userToken("bob")).Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
