import type { Context } from "hono";
import type { AppEnv, Principal } from "../env";
import { hex, sha256 } from "../lib/hash";
import { log } from "../log/logger";
import { settingsOf } from "../settings";
import { credentialMissing, invalidToken } from "./problems";
import { serviceCaller } from "./service-token";
import { bearerToken } from "./token";
import { verifyJwt } from "./verify";

/**
 * Who the bearer token says is calling: the API_TOKEN service credential (tried first, a hash
 * comparison), else a JWT from JWKS_URL's issuer. Throws the 401 (or the JWKS's 503) otherwise;
 * with neither configured, every request is refused. Never touches the database.
 */
export async function authenticate(c: Context<AppEnv>): Promise<{ principal: Principal; caller: string }> {
  const { jwt } = settingsOf(c.env);
  const serviceToken = c.env.API_TOKEN || undefined;
  if (!serviceToken && !jwt) {
    log(c, "error", "API_TOKEN is not set and JWT auth is off (no JWKS_URL): refusing every protected request");
  }
  const token = bearerToken(c);
  if (!token) throw credentialMissing();
  const service = await serviceCaller(token, serviceToken);
  if (service) return { principal: { kind: "service" }, caller: service };
  if (!jwt) throw invalidToken("The token is not valid.");
  const user = await verifyJwt(token, jwt);
  // Issuer and subject together: a subject is unique only within its issuer.
  return { principal: user, caller: `user:${hex(await sha256(`${user.issuer}\n${user.subject}`)).slice(0, 32)}` };
}
