import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ProblemError } from "../errors/problem";
import { isLocalHost } from "../lib/loopback";
import { settingsOf } from "../settings";

/**
 * Local only: with LOCAL_ALLOWED_HOSTS bound (`npm run dev` binds it), a request whose Host is not a
 * loopback name or a listed one is a 403. A web page can point its own host name at 127.0.0.1 (DNS
 * rebinding) and read the local API with the published local token, but the Host it sends is still
 * its own. Unbound, as in production (Cloudflare routes by host): no check.
 */
export const localHostsOnly = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const allowed = settingsOf(c.env).localAllowedHosts;
    // wrangler dev builds the URL from the Host header the client sent. (With `routes` in
    // wrangler.toml it rewrites every URL to the route's host instead: this check then sees only that.)
    const host = new URL(c.req.url).host;
    if (allowed && !isLocalHost(host, allowed)) {
      throw new ProblemError(
        403,
        `Host ${host} is not this machine: the local server answers only to localhost, 127.0.0.1 and [::1] (npm run dev -- --allow-host NAME lets another name in).`,
      );
    }
    await next();
  });
