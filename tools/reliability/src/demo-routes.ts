// The load and the fuzz drive the demo's users/posts API (load.ts, fuzz-requests.ts, invariants.ts).
// With the demo removed (README, "Remove the demo") they have nothing to drive, and say so in one
// line instead of failing on the first 404. The fault tests need no demo: they run on the fixture.
import type { WorkerUnderTest } from "./worker-under-test.js";

export const DEMO_PATHS = ["/users", "/users/{id}", "/posts", "/posts/{id}", "/posts/{id}/move"];

/** Why the load and the fuzz cannot run on this Worker (its /openapi.json lacks a demo path), or undefined. */
export async function missingDemoRoutes(target: WorkerUnderTest): Promise<string | undefined> {
  const res = await fetch(`${target.origin}/openapi.json`, { headers: { Authorization: `Bearer ${target.apiToken}` } });
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  const paths = Object.keys(((await res.json()) as { paths?: Record<string, unknown> }).paths ?? {});
  const missing = DEMO_PATHS.filter((p) => !paths.includes(p));
  if (missing.length === 0) return undefined;
  return `the load and the fuzz drive the demo's routes, and the app has no ${missing.join(", ")}: point tools/reliability/src/{load,fuzz-requests}.ts at yours`;
}
