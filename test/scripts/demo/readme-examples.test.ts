// The README's "Try it" block, as a user pastes it: against a real `npm run dev` on a fresh
// database, in bash and in zsh, twice (a second paste must not collide with the first), with
// every request required to succeed (curl --fail-with-body) and nothing left undefined (set -u).
// The block drives the demo's routes, so this goes with the demo (README, "Remove the demo").
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort } from "@starter/local-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevRun, ROOT, startDev, stopDev, waitFor } from "../helpers.js";

const MARKER = "<!-- run by test/scripts/demo/readme-examples.test.ts";
/** Where the README's block expects npm run dev (its default port). */
const DOCUMENTED_ORIGIN = "http://127.0.0.1:8787";

/** The sh block right after the marker, verbatim. */
function readmeExamples(): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const after = readme.slice(readme.indexOf(MARKER));
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1];
  if (!readme.includes(MARKER) || !block) throw new Error("README.md has no examples block after its marker");
  return block;
}

const shells = ["bash", "zsh"].map((shell) => ({
  shell,
  present: spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0,
}));
for (const { shell, present } of shells) {
  // CI installs both (.ci/run); elsewhere a missing shell is skipped, saying so.
  if (!present && !process.env.CI) console.warn(`[readme examples] ${shell} is not installed: not run in ${shell}`);
}

describe("the README's example requests", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "readme-examples-"));
  let dev: DevRun;
  let origin: string;

  beforeAll(async () => {
    const port = await findFreePort();
    origin = `http://127.0.0.1:${port}`;
    dev = startDev({
      PORT: String(port),
      NEON_LOCAL_PORT: String(await findFreePort()),
      LOCAL_DB_PORT: String(await findFreePort()),
      LOCAL_DATA_DIR: dataDir,
      DEV_SKIP_BUILD: "1", // npm test built already
    });
    await waitFor(dev, "[dev] ready:");
  }, 180_000);

  afterAll(async () => {
    if (dev) await stopDev(dev);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("point at npm run dev's documented address and mint tokens as it says", () => {
    const block = readmeExamples();
    expect(block).toContain(`API=${DOCUMENTED_ORIGIN}\n`);
    expect(block).toContain("$(npm run -s token -- --sub alice)");
    expect(dev.output()).toContain("npm run token -- --sub alice");
  });

  it.each(shells.filter((s) => s.present || process.env.CI))(
    "run in $shell, twice, every request succeeding",
    ({ shell }) => {
      // Only the address differs from what a user pastes (this run's npm run dev has a free port).
      const block = readmeExamples().replace(`API=${DOCUMENTED_ORIGIN}`, `API=${origin}`);
      const strict = [
        "set -eu",
        "set -o pipefail",
        // Any 4xx/5xx fails the run (with its problem+json shown) instead of printing and going on.
        'curl() { command curl --fail-with-body --show-error "$@"; echo; }',
      ].join("\n");
      for (const round of [1, 2]) {
        // npm run token signs with this dev's own issuer (its folder, not the developer's .local/issuer).
        const run = spawnSync(shell, ["-c", `${strict}\n${block}`], {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 60_000,
          env: { ...process.env, LOCAL_ISSUER_DIR: dev.issuerDir },
        });
        expect(run.status, `${shell}, round ${round}:\n${run.stdout}\n${run.stderr}`).toBe(0);
        const lines = run.stdout.split("\n").filter((l) => l.trim());
        expect(JSON.parse(lines[0]!)).toMatchObject({ status: "ok" }); // GET /health
        // The move: the post now belongs to bob, published.
        expect(lines.some((l) => /"status":"PUBLISHED"/.test(l) && /"authorId"/.test(l))).toBe(true);
        expect(run.stderr).toBe("");
      }
    },
  );
});
