// Every `prisma` and `@prisma/*` package is one exact version: the generated client, the CLI, the
// adapters and the offline engine must come from the same release (Prisma 8 release candidates
// exist with another API, and a caret range would let one package move alone). Checked in every
// workspace's package.json and in what package-lock.json installs. The schema engine's wasm build
// is versioned `<release>-<engine build>`: its release part must match.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const isPrisma = (name: string) => name === "prisma" || name.startsWith("@prisma/");
const release = (version: string) => version.replace(/-.*$/, "");

function manifests(): Array<{ file: string; deps: Record<string, string> }> {
  const files = ["package.json", ...readdirSync(path.join(ROOT, "tools")).map((d) => `tools/${d}/package.json`)];
  return files.flatMap((file) => {
    let json: Record<string, Record<string, string> | undefined>;
    try {
      json = JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
    } catch {
      return [];
    }
    const deps = { ...json.dependencies, ...json.devDependencies, ...json.peerDependencies };
    return [{ file, deps }];
  });
}

describe("one Prisma", () => {
  it("every prisma and @prisma/* dependency is pinned to one exact release", () => {
    const pins = manifests().flatMap(({ file, deps }) =>
      Object.entries(deps)
        .filter(([name]) => isPrisma(name))
        .map(([name, version]) => ({ at: `${file} ${name}`, version })),
    );
    expect(pins.length).toBeGreaterThan(3);
    for (const pin of pins) expect(pin.version, `${pin.at} is a range`).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    const releases = new Set(pins.map((p) => release(p.version)));
    expect([...releases], pins.map((p) => `${p.at}@${p.version}`).join(", ")).toHaveLength(1);
  });

  it("package-lock.json installs exactly the pinned versions", () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    // The packages we depend on, where npm installs them for the whole workspace. (Prisma's own
    // tooling, such as @prisma/dev under the CLI, has other versions of its own: not ours to pin.)
    for (const { file, deps } of manifests()) {
      for (const [name, version] of Object.entries(deps).filter(([n]) => isPrisma(n))) {
        expect(lock.packages[`node_modules/${name}`]?.version, `${file} ${name}`).toBe(version);
      }
    }
  });
});
