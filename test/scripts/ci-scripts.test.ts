// scripts/ci/*, the steps of .github/workflows, as real child processes against real HTTP servers on
// 127.0.0.1 that answer as the Worker, Neon's API and GitHub's API do (no mocked fetch), and wrangler's
// `versions upload` run for real with --dry-run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commentBody, MARKER } from "../../scripts/ci/pr-comment.js";
import { encodeDiff, MAX_BYTES } from "../../scripts/ci/schema-diff.js";
import { previewUrlOf } from "../../scripts/ci/upload-preview.js";
import { nonEmptyLines, runScript } from "./helpers.js";

const dirs: string[] = [];
const servers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of servers) await close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ci-scripts-"));
  dirs.push(dir);
  return dir;
}

/** The scripts as CI runs them, but never with this test runner's own GitHub Actions context. */
function run(script: string, args: string[], env: Record<string, string | undefined> = {}) {
  return runScript(`scripts/ci/${script}`, args, {
    GITHUB_ACTIONS: undefined,
    GITHUB_OUTPUT: undefined,
    RUNNER_TEMP: undefined,
    API_TOKEN: undefined,
    DATABASE_URL: undefined,
    ...env,
  });
}

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A node:http server on 127.0.0.1, port 0; `handle` answers, every request is recorded. */
async function serve(handle: (req: Recorded, res: ServerResponse) => void) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(recorded);
      handle(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const outputs = (file: string) =>
  Object.fromEntries(
    nonEmptyLines(readFileSync(file, "utf8")).map((line) => [
      line.slice(0, line.indexOf("=")),
      line.slice(line.indexOf("=") + 1),
    ]),
  );

// ---------------------------------------------------------------------------------------------
// smoke.ts
// ---------------------------------------------------------------------------------------------

const TOKEN = "preview-token-0123456789abcdef";

/** What the Worker's /openapi.json says, in short: bearer by default, /health public. */
const OPENAPI = {
  security: [{ bearer: [] }],
  paths: { "/health": { get: { security: [] } }, "/users/{id}": { get: {} }, "/users": { get: {}, post: {} } },
};

/** Answers like the Worker: public /health and /openapi.json, /users closed without the bearer token. */
function worker(opts: { healthFailures?: number; healthStatus?: number; usersOpen?: boolean; openapi?: object } = {}) {
  let healthCalls = 0;
  return serve((req, res) => {
    const { pathname } = new URL(req.url, "http://x");
    if (pathname === "/openapi.json") return json(res, 200, opts.openapi ?? OPENAPI);
    if (pathname === "/health") {
      healthCalls++;
      const down = opts.healthStatus === 503 || healthCalls <= (opts.healthFailures ?? 0);
      if (down)
        return json(res, 503, { status: "unavailable", database: "down", transport: "http" }, { "Retry-After": "1" });
      return json(res, 200, { status: "ok", database: "up", transport: "http" });
    }
    if (pathname === "/users") {
      if (!opts.usersOpen && req.headers.authorization !== `Bearer ${TOKEN}`) {
        return json(res, 401, { type: "about:blank", title: "Unauthorized", status: 401 });
      }
      return json(res, 200, { items: [], nextCursor: null });
    }
    json(res, 404, { title: "Not Found" });
  });
}

describe("smoke.ts", () => {
  it("passes against a healthy Worker: one line per check, the token never printed", async () => {
    const w = await worker();
    const r = await run("smoke.ts", [w.url, "--interval-ms", "50"], { API_TOKEN: TOKEN });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(nonEmptyLines(r.stdout)).toEqual([
      "ok   GET /health → 200 (1 try)",
      "ok   GET /users without a token → 401 (1 try)",
      "ok   GET /users with API_TOKEN → 200 (1 try)",
    ]);
    expect(r.stdout).not.toContain(TOKEN);
    const users = w.requests.filter((q) => q.url.startsWith("/users"));
    expect(users.map((q) => q.headers.authorization)).toEqual([undefined, `Bearer ${TOKEN}`]);
  });

  it("takes its route from /openapi.json: with no GET that needs the token, it says so and passes", async () => {
    const w = await worker({
      openapi: { security: [{ bearer: [] }], paths: { "/health": { get: { security: [] } } } },
    });
    const r = await run("smoke.ts", [w.url, "--interval-ms", "50"], { API_TOKEN: TOKEN });
    expect(r.code, r.stderr).toBe(0);
    expect(nonEmptyLines(r.stdout)).toEqual([
      "ok   GET /health → 200 (1 try)",
      "skip the token checks: /openapi.json has no GET route that needs the token and takes no parameter",
    ]);
  });

  it("retries while a fresh version is not up yet", async () => {
    const w = await worker({ healthFailures: 2 });
    const r = await run("smoke.ts", [`${w.url}/`, "--interval-ms", "50"], { API_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(nonEmptyLines(r.stdout)[0]).toBe("ok   GET /health → 200 (3 tries)");
  });

  it("fails with one line when /health stays 503", async () => {
    const w = await worker({ healthStatus: 503 });
    const r = await run("smoke.ts", [w.url, "--timeout-s", "1", "--interval-ms", "100"], { API_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = nonEmptyLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^smoke: GET \/health failed: expected 200 with status "ok", got 503 \{"status":"unavailable","database":"down","transport":"http"\} \(\d+ tries in [\d.]+ s\)$/,
    );
    expect(w.requests.length).toBeGreaterThan(1);
  });

  it("fails when /users answers without a token (the Worker must be closed by default)", async () => {
    const w = await worker({ usersOpen: true });
    const r = await run("smoke.ts", [w.url, "--timeout-s", "0.3", "--interval-ms", "100"], { API_TOKEN: TOKEN });
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stdout)).toEqual(["ok   GET /health → 200 (1 try)"]);
    expect(nonEmptyLines(r.stderr)).toEqual([
      expect.stringMatching(/^smoke: GET \/users without a token failed: expected 401, got 200 /),
    ]);
  });

  it("fails when the token is wrong, without printing it", async () => {
    const w = await worker();
    const r = await run("smoke.ts", [w.url, "--timeout-s", "0.3", "--interval-ms", "100"], {
      API_TOKEN: "wrong-token-xyz",
    });
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stderr)).toEqual([
      expect.stringMatching(/^smoke: GET \/users with API_TOKEN failed: expected 200, got 401 /),
    ]);
    expect(r.stdout + r.stderr).not.toContain("wrong-token-xyz");
  });

  it("names the missing token, a bad URL, and a Worker that does not answer", async () => {
    const noToken = await run("smoke.ts", ["http://127.0.0.1:9"], {});
    expect(nonEmptyLines(noToken.stderr)).toEqual([expect.stringMatching(/^smoke: API_TOKEN is not set/)]);
    const badUrl = await run("smoke.ts", ["not a url"], { API_TOKEN: TOKEN });
    expect(nonEmptyLines(badUrl.stderr)).toEqual([expect.stringMatching(/^smoke: "not a url" is not a URL/)]);
    // Flags go through node:util's parseArgs: an unknown one, or a value that is no number, is one line.
    const unknownFlag = await run("smoke.ts", ["http://127.0.0.1:9", "--retries", "3"], { API_TOKEN: TOKEN });
    expect(nonEmptyLines(unknownFlag.stderr)).toEqual([
      expect.stringMatching(/^smoke: Unknown option '--retries'.*\(usage: smoke\.ts <base-url>/),
    ]);
    const notANumber = await run("smoke.ts", ["http://127.0.0.1:9", "--timeout-s", "soon"], { API_TOKEN: TOKEN });
    expect(nonEmptyLines(notANumber.stderr)).toEqual(["smoke: --timeout-s needs a number"]);
    const w = await worker();
    await w.close();
    const down = await run("smoke.ts", [w.url, "--timeout-s", "0.3", "--interval-ms", "100"], { API_TOKEN: TOKEN });
    expect(down.code).toBe(1);
    expect(nonEmptyLines(down.stderr)).toEqual([
      expect.stringMatching(/^smoke: GET \/health failed: no answer \(ECONNREFUSED\)/),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// upload-preview.ts: what it refuses before calling wrangler (deploy-pipeline.test.ts runs it whole)
// ---------------------------------------------------------------------------------------------

const SUFFIX = "-workers-hono-prisma-neon.acme.workers.dev";
const POOLED =
  "postgresql://neondb_owner:Pw$ecret-9f8e7d@ep-calm-sun-123456-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require";

describe("upload-preview.ts", () => {
  it("refuses a direct (non -pooler) DATABASE_URL, a bad name and a missing token, each in one line", async () => {
    const direct = POOLED.replace("-pooler", "");
    const cases: Array<[string[], Record<string, string | undefined>, RegExp]> = [
      [
        ["--name", "pr-1"],
        { DATABASE_URL: direct, API_TOKEN: TOKEN },
        /DATABASE_URL.s host ep-calm-sun-123456\.eu-central-1\.aws\.neon\.tech is not a -pooler endpoint/,
      ],
      [["--name", "PR_1"], { DATABASE_URL: POOLED, API_TOKEN: TOKEN }, /preview name "PR_1" is not valid/],
      [["--name", "pr-1"], { DATABASE_URL: POOLED }, /API_TOKEN is not set/],
      [[], { DATABASE_URL: POOLED, API_TOKEN: TOKEN }, /--name is required/],
    ];
    for (const [args, env, message] of cases) {
      const r = await run("upload-preview.ts", args, env);
      expect(r.code).toBe(1);
      expect(nonEmptyLines(r.stderr)).toEqual([
        expect.stringMatching(new RegExp(`^upload-preview: ${message.source}`)),
      ]);
      expect(r.stdout + r.stderr).not.toContain("Pw$ecret");
    }
  });

  it("reads the Preview's URL from wrangler preview --json", () => {
    const output = `[custom build] done\n{\n  "preview": { "urls": ["https://pr-3-w.acme.workers.dev"] },\n  "deployment": { "urls": [] }\n}\n`;
    expect(previewUrlOf(output)).toBe("https://pr-3-w.acme.workers.dev");
    expect(() => previewUrlOf("no json here")).toThrow(/printed no Preview URL/);
  });
});

// ---------------------------------------------------------------------------------------------
// neon-urls.ts against a server that answers as Neon's API
// ---------------------------------------------------------------------------------------------

const NEON_PASSWORD = "npg_S3cr3tPassw0rd";
const neonUri = (pooled: boolean) =>
  `postgresql://neondb_owner:${NEON_PASSWORD}@ep-calm-sun-123456${pooled ? "-pooler" : ""}.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require`;

describe("neon-urls.ts", () => {
  it("fetches both strings, masks them before printing anything, and sets the outputs", async () => {
    let locked = 1;
    const neon = await serve((req, res) => {
      const url = new URL(req.url, "http://x");
      if (req.headers.authorization !== "Bearer neon-key-123") return json(res, 401, { message: "unauthorized" });
      if (locked-- > 0) return json(res, 423, { code: "", message: "project already has running operations" });
      json(res, 200, { uri: neonUri(url.searchParams.get("pooled") === "true") });
    });
    const out = path.join(tempDir(), "github-output");
    const r = await run("neon-urls.ts", [], {
      GITHUB_ACTIONS: "true",
      GITHUB_OUTPUT: out,
      NEON_API_KEY: "neon-key-123",
      NEON_PROJECT_ID: "proj-1",
      NEON_BRANCH_ID: "br-cool-1",
      NEON_API_HOST: `${neon.url}/api/v2`,
      NEON_API_BACKOFF_MS: "10",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = nonEmptyLines(r.stdout);
    // Every line that carries a secret is a mask command, and the masks come first.
    const masks = lines.filter((l) => l.startsWith("::add-mask::"));
    expect(masks).toEqual(
      expect.arrayContaining([
        `::add-mask::${neonUri(false)}`,
        `::add-mask::${neonUri(true)}`,
        `::add-mask::${NEON_PASSWORD}`,
      ]),
    );
    expect(lines.slice(0, masks.length)).toEqual(masks);
    const rest = lines.slice(masks.length);
    expect(rest).toEqual([
      "branch br-cool-1: direct host ep-calm-sun-123456.eu-central-1.aws.neon.tech, pooled host ep-calm-sun-123456-pooler.eu-central-1.aws.neon.tech",
    ]);
    expect(outputs(out)).toEqual({ direct_url: neonUri(false), pooled_url: neonUri(true) });
    expect(neon.requests.map((q) => new URL(q.url, "http://x").pathname)).toEqual(
      Array(3).fill("/api/v2/projects/proj-1/connection_uri"),
    );
    const asked = neon.requests.map((q) => new URL(q.url, "http://x").searchParams);
    expect(asked.at(-1)?.get("branch_id")).toBe("br-cool-1");
    expect(asked.at(-1)?.get("database_name")).toBe("neondb");
    expect(asked.at(-1)?.get("role_name")).toBe("neondb_owner");
  });

  /** neon-urls.ts for branch br-1 of project p, against the stand-in API at `host`. */
  const neonUrlsAgainst = (host: string, key = "k") =>
    run("neon-urls.ts", [], { NEON_API_KEY: key, NEON_PROJECT_ID: "p", NEON_BRANCH_ID: "br-1", NEON_API_HOST: host });

  it("outside Actions it masks nothing and prints no secret", async () => {
    const neon = await serve((req, res) =>
      json(res, 200, { uri: neonUri(new URL(req.url, "http://x").searchParams.get("pooled") === "true") }),
    );
    const r = await neonUrlsAgainst(neon.url);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(NEON_PASSWORD);
    expect(r.stdout).not.toContain("::add-mask::");
  });

  it("fails in one line on a refused key, and on a direct string with a -pooler host", async () => {
    const refused = await serve((_req, res) => json(res, 401, { code: "", message: "authorization failed" }));
    const r = await neonUrlsAgainst(refused.url, "bad");
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stderr)).toEqual([
      "neon-urls: could not get the direct connection string of branch br-1: Neon's API answered 401 (authorization failed)",
    ]);
    expect(refused.requests).toHaveLength(1);

    const allPooled = await serve((_req, res) => json(res, 200, { uri: neonUri(true) }));
    const p = await neonUrlsAgainst(allPooled.url);
    expect(nonEmptyLines(p.stderr)).toEqual(["neon-urls: Neon's direct connection string has a -pooler host"]);
    expect(p.stdout + p.stderr).not.toContain(NEON_PASSWORD);
  });

  it("names a missing variable", async () => {
    const r = await run("neon-urls.ts", [], { NEON_API_KEY: "k", NEON_PROJECT_ID: "p", NEON_BRANCH_ID: undefined });
    expect(nonEmptyLines(r.stderr)).toEqual([expect.stringMatching(/^neon-urls: NEON_BRANCH_ID is not set/)]);
  });
});

// ---------------------------------------------------------------------------------------------
// pr-comment.ts against a server that answers as GitHub's REST API
// ---------------------------------------------------------------------------------------------

describe("pr-comment.ts", () => {
  it("creates the comment once, then edits it in place; a human's comment quoting the marker is left alone", async () => {
    interface Comment {
      id: number;
      body: string;
      user: { login: string; type: string };
    }
    const comments: Comment[] = [
      { id: 1, body: `quoting ${MARKER} in a review`, user: { login: "alice", type: "User" } },
    ];
    let nextId = 100;
    const gh = await serve((req, res) => {
      if (req.headers.authorization !== "Bearer gh-token") return json(res, 401, { message: "Bad credentials" });
      const url = new URL(req.url, "http://x");
      if (req.method === "GET" && url.pathname === "/repos/acme/app/issues/12/comments")
        return json(res, 200, comments);
      if (req.method === "POST" && url.pathname === "/repos/acme/app/issues/12/comments") {
        const comment = {
          id: nextId++,
          body: JSON.parse(req.body).body,
          user: { login: "github-actions[bot]", type: "Bot" },
        };
        comments.push(comment);
        return json(res, 201, comment);
      }
      const patch = /^\/repos\/acme\/app\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === "PATCH" && patch) {
        const comment = comments.find((c) => c.id === Number(patch[1]))!;
        comment.body = JSON.parse(req.body).body;
        return json(res, 200, comment);
      }
      json(res, 404, { message: "Not Found" });
    });
    const env = {
      GITHUB_API_URL: gh.url,
      GITHUB_TOKEN: "gh-token",
      GITHUB_REPOSITORY: "acme/app",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "42",
      PR_NUMBER: "12",
      NEON_BRANCH: "preview/pr-12",
      HEAD_SHA: "abc1234def5678",
    };
    const first = await run("pr-comment.ts", [], {
      ...env,
      PREVIEW_STATUS: "success",
      PREVIEW_URL: `https://pr-12${SUFFIX}`,
      SCHEMA_DIFF: "same",
    });
    expect(first.stderr).toBe("");
    expect(nonEmptyLines(first.stdout)).toEqual(["created comment 100 on #12"]);
    expect(comments[1]!.body).toContain("**Schema**: the same as the parent branch's.");
    const second = await run("pr-comment.ts", [], { ...env, PREVIEW_STATUS: "failure" });
    expect(nonEmptyLines(second.stdout)).toEqual(["updated comment 100 on #12"]);

    expect(comments.map((c) => c.id)).toEqual([1, 100]);
    expect(comments[0]!.body).toBe(`quoting ${MARKER} in a review`);
    expect(comments[1]!.body).toContain("Preview for `abc1234` failed");
    expect(comments[1]!.body).toContain("[Workflow run](https://github.com/acme/app/actions/runs/42)");
    expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET", "PATCH"]);
    expect(gh.requests.every((q) => q.headers["x-github-api-version"] === "2022-11-28")).toBe(true);
  });

  it("the success body: marker first, the URL, the branch", () => {
    const body = commentBody({ status: "success", url: "https://pr-3-w.acme.workers.dev", neonBranch: "preview/pr-3" });
    expect(body.split("\n")[0]).toBe(MARKER);
    expect(body).toContain("### Preview: https://pr-3-w.acme.workers.dev");
    expect(body).toContain("Neon branch `preview/pr-3`");
    expect(body).not.toContain("Schema");
  });

  it("shows the schema diff in a collapsed block, or says the schema is the parent's", () => {
    const diff =
      "--- neondb-schema.sql\n+++ neondb-schema.sql\n@@ -1 +1,2 @@\n CREATE TABLE a ();\n+CREATE TABLE b ();\n";
    const body = commentBody({ status: "success", url: "https://x.example", schemaDiff: diff });
    expect(body).toContain("<details><summary><b>Schema</b>: changed against the parent branch</summary>");
    expect(body).toContain("```diff\n--- neondb-schema.sql");
    expect(body).toContain("+CREATE TABLE b ();\n```");
    expect(commentBody({ status: "success", url: "https://x.example", schemaDiff: "" })).toContain(
      "**Schema**: the same as the parent branch's.",
    );
  });

  it("fails in one line on a refused token or a bad status", async () => {
    const gh = await serve((_req, res) => json(res, 403, { message: "Resource not accessible by integration" }));
    const r = await run("pr-comment.ts", [], {
      GITHUB_API_URL: gh.url,
      GITHUB_TOKEN: "t",
      GITHUB_REPOSITORY: "acme/app",
      PR_NUMBER: "12",
      PREVIEW_STATUS: "success",
      PREVIEW_URL: "https://x.example",
    });
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stderr)).toEqual([
      "pr-comment: GitHub answered 403 to GET /repos/acme/app/issues/12/comments?per_page=100&page=1 (Resource not accessible by integration)",
    ]);
    const bad = await run("pr-comment.ts", [], { PREVIEW_STATUS: "maybe" });
    expect(nonEmptyLines(bad.stderr)).toEqual(['pr-comment: PREVIEW_STATUS must be success or failure (got "maybe")']);
  });
});

// ---------------------------------------------------------------------------------------------
// schema-diff.ts against a server that answers as Neon's API (branches and their schema dumps)
// ---------------------------------------------------------------------------------------------

describe("schema-diff.ts", () => {
  const schemas: Record<string, string> = {
    "br-main": "CREATE TABLE users (id text);\n",
    "br-pr": "CREATE TABLE users (id text);\nCREATE INDEX users_id ON users (id);\n",
  };
  const neonApi = () =>
    serve((req, res) => {
      const url = new URL(req.url, "http://x");
      const branch = /^\/projects\/p\/branches\/([\w-]+)(\/schema)?$/.exec(url.pathname);
      if (!branch) return json(res, 404, { message: "no route" });
      if (branch[2]) return json(res, 200, { sql: schemas[branch[1]!] });
      const parent = branch[1] === "br-pr" ? { parent_id: "br-main" } : {};
      return json(res, 200, {
        branch: { id: branch[1], name: branch[1] === "br-pr" ? "preview/pr-3" : "main", ...parent },
      });
    });

  it("diffs the branch's schema against its parent's and hands it on as one base64 output", async () => {
    const neon = await neonApi();
    const out = path.join(tempDir(), "out");
    writeFileSync(out, "");
    const r = await run("schema-diff.ts", [], {
      NEON_API_KEY: "k",
      NEON_PROJECT_ID: "p",
      NEON_BRANCH_ID: "br-pr",
      NEON_API_HOST: neon.url,
      GITHUB_OUTPUT: out,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(nonEmptyLines(r.stdout)[0]).toBe("schema: branch preview/pr-3 differs from main in 1 lines:");
    const encoded = /^schema_diff=(.*)$/m.exec(readFileSync(out, "utf8"))![1]!;
    const diff = Buffer.from(encoded, "base64").toString("utf8");
    expect(diff).toContain("--- neondb-schema.sql\tbranch main");
    expect(diff).toContain("+CREATE INDEX users_id ON users (id);");
    expect(neon.requests.map((q) => q.url)).toContain("/projects/p/branches/br-main/schema?db_name=neondb");
  });

  it("says so when nothing changed, and cuts a diff too long for a job output", async () => {
    const neon = await neonApi();
    const r = await run("schema-diff.ts", [], {
      NEON_API_KEY: "k",
      NEON_PROJECT_ID: "p",
      NEON_BRANCH_ID: "br-main",
      NEON_API_HOST: neon.url,
    });
    expect(nonEmptyLines(r.stderr)).toEqual(["schema-diff: branch main has no parent to compare with"]);
    expect(encodeDiff("")).toBe("same");
    const long = `${"+x\n".repeat(MAX_BYTES)}`;
    const cut = Buffer.from(encodeDiff(long), "base64").toString("utf8");
    expect(Buffer.byteLength(cut)).toBeLessThan(MAX_BYTES + 200);
    expect(cut).toMatch(/… \(cut: the whole diff is in the preview job's log\)\n$/);
  });
});

// ---------------------------------------------------------------------------------------------
// expires-at.ts
// ---------------------------------------------------------------------------------------------

describe("expires-at.ts", () => {
  it("prints an RFC 3339 UTC time 14 days ahead and sets expires_at", async () => {
    const out = path.join(tempDir(), "github-output");
    const before = Date.now();
    const r = await run("expires-at.ts", [], { GITHUB_OUTPUT: out });
    expect(r.code).toBe(0);
    const at = r.stdout.trim();
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(at) - before - 14 * 86_400_000)).toBeLessThan(60_000);
    expect(outputs(out)).toEqual({ expires_at: at });
  });

  it("refuses a TTL Neon would not take", async () => {
    for (const [arg, message] of [
      ["31", "the TTL must be a whole number of days from 1 to 30 (got 31)"],
      ["two", 'expected a number of days, got "two"'],
    ] as const) {
      const r = await run("expires-at.ts", [arg]);
      expect(r.code).toBe(1);
      expect(nonEmptyLines(r.stderr)).toEqual([`expires-at: ${message}`]);
    }
  });
});
