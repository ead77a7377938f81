// The deploy pipeline end to end, offline: the real wrangler and the scripts/ci/* steps against a
// stand-in of Cloudflare's API that keeps a Worker's versions as the real one does (an upload keeps
// the NEWEST version's secrets, deployed or not) and keeps Worker Previews and accounts apart.
// The production step is run as deploy.yml writes it, so a workflow that drops the secrets fails here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProcess } from "@starter/prisma-offline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { nonEmptyLines, ROOT, runScript } from "./helpers.js";
import { addAccount, type CloudflareApi, startCloudflareApi } from "./stand-ins/cloudflare-api.js";

const WORKER = "workers-hono-prisma-neon";
const PRODUCTION = {
  PRODUCTION_DATABASE_URL: "postgresql://app:prod-Pw@ep-prod-1-pooler.eu-central-1.aws.neon.tech/neondb",
  PRODUCTION_API_TOKEN: "production-token-0123456789abcdef0123456789",
  CLOUDFLARE_API_TOKEN: "production-cloudflare-token",
  CLOUDFLARE_ACCOUNT_ID: "production-account",
};
const PREVIEW = {
  DATABASE_URL: "postgresql://app:preview-Pw@ep-preview-7-pooler.eu-central-1.aws.neon.tech/neondb",
  API_TOKEN: "preview-token-0123456789abcdef",
  CLOUDFLARE_API_TOKEN: "preview-cloudflare-token",
  CLOUDFLARE_ACCOUNT_ID: "preview-account",
};
const DIRECT = "postgresql://app:preview-Pw@ep-preview-7.eu-central-1.aws.neon.tech/neondb?sslmode=require";

let api: CloudflareApi;
const dirs: string[] = [];
beforeAll(async () => {
  api = await startCloudflareApi();
});
afterAll(async () => {
  await api.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh production account whose Worker runs on production's secrets, and a preview account. */
function accounts(suffix: string) {
  const prodId = `${PRODUCTION.CLOUDFLARE_ACCOUNT_ID}-${suffix}`;
  const previewId = `${PREVIEW.CLOUDFLARE_ACCOUNT_ID}-${suffix}`;
  const production = addAccount(api, prodId, PRODUCTION.CLOUDFLARE_API_TOKEN);
  const preview = addAccount(api, previewId, PREVIEW.CLOUDFLARE_API_TOKEN);
  api.seedWorker(prodId, WORKER, {
    DATABASE_URL: PRODUCTION.PRODUCTION_DATABASE_URL,
    API_TOKEN: PRODUCTION.PRODUCTION_API_TOKEN,
  });
  return { prodId, previewId, production, preview };
}

/** The environment a step gets, as the runner builds it: the API pointed at the stand-in. */
const baseEnv = (env: Record<string, string | undefined>) => ({
  CLOUDFLARE_API_BASE_URL: api.baseUrl,
  WRANGLER_SEND_METRICS: "false",
  GITHUB_ACTIONS: undefined,
  GITHUB_OUTPUT: undefined,
  DATABASE_URL: undefined,
  API_TOKEN: undefined,
  ...env,
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-pipeline-"));
  dirs.push(dir);
  return dir;
}

/** wrangler.toml with its [[hyperdrive]] block switched on, beside the original (paths stay valid). */
function hyperdriveConfig(): string {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  expect(toml).toMatch(/^# \[\[hyperdrive\]\]$/m);
  const file = path.join(ROOT, `.wrangler-test-hyperdrive-${process.pid}.toml`);
  const bound = toml.replace(
    /^# \[\[hyperdrive\]\]\n# (binding.*)\n# id.*$/m,
    '[[hyperdrive]]\n$1\nid = "0123456789abcdef0123456789abcdef"',
  );
  expect(bound).not.toBe(toml);
  writeFileSync(file, bound);
  return file;
}

/** deploy.yml's deploy job's last step, run as the runner would with the production environment. */
async function runDeployStep(environment: Record<string, string>, account: string) {
  const doc = parse(readFileSync(path.join(ROOT, ".github/workflows/deploy.yml"), "utf8"));
  const steps = doc.jobs.deploy.steps as Array<{ run?: string; env?: Record<string, string> }>;
  const step = steps.filter((s) => s.run).at(-1)!;
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(step.env ?? {})) {
    env[name] = String(value).replace(/\$\{\{\s*secrets\.([A-Z0-9_]+)\s*\}\}/g, (_, secret: string) =>
      secret === "CLOUDFLARE_ACCOUNT_ID" ? account : (environment[secret] ?? ""),
    );
    expect(env[name], `${name}: only secrets are substituted here`).not.toMatch(/\$\{\{/);
  }
  return runProcess("bash", ["-c", step.run!], { cwd: ROOT, env: { ...process.env, ...clean(baseEnv(env)) } });
}

const clean = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;

describe("production deploys carry their own secrets", () => {
  it("after a version with a preview's secrets, deploy.yml deploys production's own", async () => {
    const { prodId, production } = accounts("inherit");
    const worker = production.workers.get(WORKER)!;
    // A version of the production Worker with a preview's secrets: what preview.yml uploaded before
    // Worker Previews, and what any holder of a Workers token can upload.
    const dir = tempDir();
    const secretsFile = path.join(dir, "preview.json");
    writeFileSync(secretsFile, JSON.stringify({ DATABASE_URL: PREVIEW.DATABASE_URL, API_TOKEN: PREVIEW.API_TOKEN }));
    const upload = await runProcess(
      process.execPath,
      [
        path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
        "versions",
        "upload",
        "--preview-alias",
        "pr-7",
        "--secrets-file",
        secretsFile,
      ],
      {
        cwd: ROOT,
        env: clean({
          ...process.env,
          ...baseEnv({ CLOUDFLARE_API_TOKEN: PRODUCTION.CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID: prodId }),
        }),
      },
    );
    expect(upload.code, upload.stderr).toBe(0);
    expect(worker.versions[0]!.secrets).toEqual({ DATABASE_URL: PREVIEW.DATABASE_URL, API_TOKEN: PREVIEW.API_TOKEN });

    const r = await runDeployStep(PRODUCTION, prodId);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(api.unknown).toEqual([]);
    const deployed = worker.versions.find((v) => v.id === worker.deployed)!;
    expect(deployed).toBe(worker.versions[0]);
    expect(deployed.secrets).toEqual({
      DATABASE_URL: PRODUCTION.PRODUCTION_DATABASE_URL,
      API_TOKEN: PRODUCTION.PRODUCTION_API_TOKEN,
    });
    for (const secret of [PRODUCTION.PRODUCTION_API_TOKEN, "prod-Pw"])
      expect(r.stdout + r.stderr).not.toContain(secret);
  }, 120_000);

  it("a deploy without one of production's secrets stops in one line and uploads nothing", async () => {
    const { prodId, production } = accounts("missing");
    const before = production.workers.get(WORKER)!.versions.length;
    const r = await runDeployStep({ ...PRODUCTION, PRODUCTION_API_TOKEN: "" }, prodId);
    expect(r.code).toBe(1);
    expect(nonEmptyLines(r.stderr)).toEqual([
      "deploy-production: API_TOKEN is not set (production's bearer token: the secret PRODUCTION_API_TOKEN)",
    ]);
    const pooledless = await runDeployStep(
      { ...PRODUCTION, PRODUCTION_DATABASE_URL: DIRECT.replace("?sslmode=require", "") },
      prodId,
    );
    expect(nonEmptyLines(pooledless.stderr)).toEqual([
      "deploy-production: DATABASE_URL's host ep-preview-7.eu-central-1.aws.neon.tech is not a -pooler endpoint: give the Worker the pooled URL",
    ]);
    expect(production.workers.get(WORKER)!.versions).toHaveLength(before);
  }, 60_000);

  it("with [[hyperdrive]] bound it needs API_TOKEN alone (every route takes the binding)", async () => {
    const config = hyperdriveConfig();
    try {
      const r = await runScript("scripts/ci/deploy-production.ts", ["--config", config, "--dry-run"], {
        ...baseEnv({ API_TOKEN: PRODUCTION.PRODUCTION_API_TOKEN }),
        CLOUDFLARE_API_TOKEN: undefined,
        CLOUDFLARE_ACCOUNT_ID: undefined,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/env\.HYPERDRIVE \(/);
      expect(r.stdout).toMatch(/env\.API_TOKEN \("\(hidden\)"\)/);
      expect(nonEmptyLines(r.stdout).at(-1)).toBe("dry run: would deploy with its own API_TOKEN");
    } finally {
      rmSync(config, { force: true });
    }
  }, 60_000);
});

describe("previews are Worker Previews in the preview account", () => {
  const uploadPreview = (args: string[], env: Record<string, string | undefined>) =>
    runScript("scripts/ci/upload-preview.ts", ["--name", "pr-7", "--message", "PR #7 abc1234", ...args], baseEnv(env));

  it("makes Preview pr-7 with the branch's secrets; production's Worker gets no version", async () => {
    const { previewId, production, preview } = accounts("preview");
    const before = production.workers.get(WORKER)!.versions.length;
    const r = await uploadPreview([], { ...PREVIEW, CLOUDFLARE_ACCOUNT_ID: previewId });
    expect(r.code, r.stderr).toBe(0);
    expect(nonEmptyLines(r.stdout).at(-1)).toBe(`preview: https://pr-7-${WORKER}.stand-in.workers.dev`);
    const made = preview.workers.get(WORKER)!;
    expect(made.versions).toEqual([]);
    expect(made.previews.get("pr-7")?.secrets).toEqual({
      DATABASE_URL: PREVIEW.DATABASE_URL,
      API_TOKEN: PREVIEW.API_TOKEN,
    });
    expect(production.workers.get(WORKER)!.versions).toHaveLength(before);
    for (const secret of [PREVIEW.API_TOKEN, "preview-Pw"]) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(api.unknown).toEqual([]);

    // The preview account's token is refused by production's account.
    const cross = await uploadPreview([], {
      ...PREVIEW,
      CLOUDFLARE_ACCOUNT_ID: `${PRODUCTION.CLOUDFLARE_ACCOUNT_ID}-preview`,
    });
    expect(cross.code).toBe(1);
    expect(production.workers.get(WORKER)!.previews.size).toBe(0);
  }, 120_000);

  it("with [[hyperdrive]] bound, the preview gets its own Hyperdrive config on its branch", async () => {
    const { previewId, preview } = accounts("hyperdrive");
    const env = baseEnv({ ...PREVIEW, CLOUDFLARE_ACCOUNT_ID: previewId, DIRECT_URL: DIRECT });
    const config = hyperdriveConfig();
    try {
      const refused = await uploadPreview(["--config", config], { ...PREVIEW, CLOUDFLARE_ACCOUNT_ID: previewId });
      expect(nonEmptyLines(refused.stderr)).toEqual([
        expect.stringMatching(/^upload-preview: .* binds \[\[hyperdrive\]\]: give the preview its own/),
      ]);

      const hyperdrive = (command: string[], more: Record<string, string | undefined> = {}) =>
        runScript("scripts/ci/preview-hyperdrive.ts", command, { ...env, ...more });
      const first = await hyperdrive(["ensure", "--name", "preview-pr-7", "--config", config]);
      expect(first.code, first.stderr).toBe(0);
      const [made] = [...preview.hyperdrive.values()];
      expect(made).toMatchObject({
        name: "preview-pr-7",
        origin: { host: "ep-preview-7.eu-central-1.aws.neon.tech", port: 5432, database: "neondb", user: "app" },
        caching: { disabled: true },
      });
      const again = await hyperdrive(["ensure", "--name", "preview-pr-7", "--config", config]);
      expect(again.stdout).toContain(`preview-pr-7 is ${made!.id}`);
      expect(preview.hyperdrive.size).toBe(1);
      expect((await hyperdrive(["ensure", "--name", "preview-pr-7"])).stdout).toContain("binds none");

      const r = await uploadPreview(["--config", config, "--hyperdrive-id", made!.id], {
        ...PREVIEW,
        CLOUDFLARE_ACCOUNT_ID: previewId,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`"HYPERDRIVE"`);
      expect(r.stdout).toContain(made!.id);

      const pooled = await hyperdrive(["ensure", "--name", "preview-pr-8", "--config", config], {
        DIRECT_URL: PREVIEW.DATABASE_URL,
      });
      expect(nonEmptyLines(pooled.stderr)).toEqual([
        "preview-hyperdrive: DIRECT_URL has a -pooler host: Hyperdrive pools itself, give it the direct string",
      ]);
      expect((await hyperdrive(["delete", "--name", "preview-pr-7"])).stdout).toContain("deleted preview-pr-7");
      expect(preview.hyperdrive.size).toBe(0);
    } finally {
      rmSync(config, { force: true });
    }
  }, 180_000);

  it("the sweep deletes the configs of pull requests that are no longer open, and nothing else", async () => {
    const { previewId, preview } = accounts("sweep");
    const { createServer } = await import("node:http");
    const github = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.url?.includes("page=1") ? [{ number: 3 }, { number: 12 }] : []));
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    try {
      for (const name of ["preview-pr-3", "preview-pr-5", "preview-pr-12", "preview-pr-40", "production-db"]) {
        preview.hyperdrive.set(`id-${name}`, {
          id: `id-${name}`,
          name,
          origin: { host: "h", port: 5432, database: "d", user: "u", scheme: "postgres" },
          caching: { disabled: true },
        });
      }
      const port = (github.address() as { port: number }).port;
      const r = await runScript(
        "scripts/ci/preview-hyperdrive.ts",
        ["sweep", "--prefix", "preview-pr-"],
        baseEnv({
          ...PREVIEW,
          CLOUDFLARE_ACCOUNT_ID: previewId,
          GITHUB_TOKEN: "t",
          GITHUB_REPOSITORY: "o/r",
          GITHUB_API_URL: `http://127.0.0.1:${port}`,
        }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe("hyperdrive: swept 2 orphaned config(s): preview-pr-5, preview-pr-40");
      expect([...preview.hyperdrive.values()].map((c) => c.name).sort()).toEqual([
        "preview-pr-12",
        "preview-pr-3",
        "production-db",
      ]);
    } finally {
      github.close();
    }
  }, 60_000);
});
