// Which path this project's Worker takes (the same suite runs on Neon's driver and on Hyperdrive),
// and bindings that break that path's database in a given way.
import { env } from "cloudflare:workers";
import { transportFor } from "../../src/db/prisma";
import type { Bindings, DatabaseNeed, Transport } from "../../src/env";
import { stack } from "./stack";

export const onHyperdrive = Boolean((env as Bindings).HYPERDRIVE);

/** The transport a route with this need runs on, in this project. */
export const transportOf = (need: DatabaseNeed): Transport => transportFor(env as Bindings, need);

/** A HYPERDRIVE binding's shape for another origin (what Cloudflare hands the Worker). */
function hyperdriveTo(url: string): Hyperdrive {
  const u = new URL(url);
  return {
    connectionString: url,
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  } as Hyperdrive;
}

/** The database answers with a refusal (Neon's "Couldn't connect to compute node"). */
export function refusingDatabase(): Partial<Bindings> {
  return onHyperdrive
    ? { HYPERDRIVE: hyperdriveTo(stack().downHyperdriveUrl) }
    : { NEON_LOCAL_PROXY: stack().downNeonProxy };
}

/** Nothing listens where the database should be (a closed port). */
export function closedPort(port = 9): Partial<Bindings> {
  if (!onHyperdrive) return { NEON_LOCAL_PROXY: `127.0.0.1:${port}` };
  const url = new URL(stack().hyperdriveUrl);
  url.port = String(port);
  return { HYPERDRIVE: hyperdriveTo(url.toString()) };
}

/** The URL with another password. */
export function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

/** This project's Hyperdrive origin, with another password. */
export function hyperdriveWithPassword(password: string): Partial<Bindings> {
  return { HYPERDRIVE: hyperdriveTo(withPassword(stack().hyperdriveUrl, password)) };
}
