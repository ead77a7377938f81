// npm run token: the token alone on stdout, signed with npm run dev's keys for its iss and aud, so
// it verifies against the served JWKS; anything wrong is one plain line (1: no dev yet, 2: a flag).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevIssuer } from "../src/dev-issuer.js";
import type { LocalIssuer } from "../src/server.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = path.join(ROOT, "tools/local-issuer/src/cli.ts");
const AUDIENCE = "http://127.0.0.1:8787";

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "local-issuer-cli-"));
  dirs.push(dir);
  return dir;
}

let devDir: string;
let issuer: LocalIssuer;
beforeAll(async () => {
  devDir = freshDir();
  issuer = await startDevIssuer({ dir: devDir, port: 0, audience: AUDIENCE });
});
afterAll(async () => {
  await issuer?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `command …args` from the project root, with LOCAL_ISSUER_DIR set to `dir`. */
function run(command: string, args: string[], dir = devDir): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, LOCAL_ISSUER_DIR: dir } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
const token = (args: string[], dir?: string) => run(process.execPath, ["--import", "tsx", CLI, ...args], dir);

const verify = (jwt: string, algorithms: string[]) =>
  jwtVerify(jwt, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
    issuer: issuer.issuer,
    audience: AUDIENCE,
    algorithms,
  });

describe("npm run token", () => {
  it.each(["EdDSA", "RS256", "ES256"])("mints a %s token that verifies against the served JWKS", async (alg) => {
    const minted = await token([
      "--sub",
      "alice",
      "--alg",
      alg,
      "--role",
      "admin",
      "--email",
      "a@b.test",
      "--name",
      "Alice",
      "--ttl",
      "15m",
    ]);
    expect(minted.stderr).toBe("");
    expect(minted.code).toBe(0);
    const jwt = minted.stdout.trimEnd();
    expect(minted.stdout).toBe(`${jwt}\n`);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg, kid: issuer.keys.find((k) => k.alg === alg)!.kid, typ: "JWT" });
    const { payload } = await verify(jwt, [alg]);
    expect(payload).toMatchObject({
      iss: issuer.issuer,
      aud: AUDIENCE,
      sub: "alice",
      role: "admin",
      email: "a@b.test",
      name: "Alice",
    });
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
  });

  it("defaults to EdDSA, one hour and no role; through the root script, stdout is the token alone", async () => {
    const minted = await run("npm", ["run", "-s", "token", "--", "--sub", "bob"]);
    expect(minted.stderr).toBe("");
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload, protectedHeader } = await verify(minted.stdout.trim(), ["EdDSA"]);
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload).not.toHaveProperty("role");
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it("says in one line to run npm run dev first when it never ran (exit 1)", async () => {
    const dir = freshDir();
    const minted = await token(["--sub", "alice"], dir);
    expect(minted.code).toBe(1);
    expect(minted.stdout).toBe("");
    expect(minted.stderr).toBe(`error: no local issuer in ${dir} yet: run \`npm run dev\` first (it makes the keys)\n`);
  });

  it.each([
    [[], "--sub is required"],
    [["--sub"], "--sub"],
    [["--sub", "alice", "--nope"], "--nope"],
    [["--sub", "alice", "--alg", "HS256"], '--alg must be one of RS256, ES256, EdDSA, got "HS256"'],
    [["--sub", "alice", "--ttl", "soon"], '--ttl must be a duration like 90s, 15m, 1h or 7d, got "soon"'],
    [["--sub", "alice", "extra"], "extra"],
  ])("refuses %j in one line (exit 2)", async (args, says) => {
    const minted = await token(args);
    expect(minted.code).toBe(2);
    expect(minted.stdout).toBe("");
    expect(minted.stderr).toMatch(/^error: .+ \(see --help\)\n$/);
    expect(minted.stderr).toContain(says);
  });
});
