// scripts/check-node.mjs, the first step of `npm run dev`, `npm test` and the db scripts: an old
// Node stops there in one line. Run against copies whose package.json asks for another Node.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function checkWith(engines: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "check-node-"));
  dirs.push(dir);
  mkdirSync(path.join(dir, "scripts"));
  copyFileSync(
    path.resolve(import.meta.dirname, "../../scripts/check-node.mjs"),
    path.join(dir, "scripts/check-node.mjs"),
  );
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ engines: { node: engines } }));
  return spawnSync(process.execPath, [path.join(dir, "scripts/check-node.mjs")], { encoding: "utf8" });
}

describe("the Node version check", () => {
  it("passes on the Node the project asks for (this one)", () => {
    const { engines } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8"));
    const res = checkWith(engines.node);
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("stops an older Node with one line naming both versions", () => {
    const res = checkWith(">=99.1");
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split("\n")).toEqual([
      `error: this is Node ${process.versions.node}; the project needs Node ≥ 99.1 (nvm use reads .nvmrc; then npm install again)`,
    ]);
  });
});
