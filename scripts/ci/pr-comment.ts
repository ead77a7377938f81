// `npx tsx scripts/ci/pr-comment.ts`: create, or update in place, the one comment on a pull request
// that says where its preview is. The comment carries a hidden marker; a re-run finds the comment by
// it (among comments by bots, so a human quoting the marker is left alone) and edits it instead of
// adding another. Reads, from the environment:
//   GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY (owner/name), PR_NUMBER,
//   PREVIEW_STATUS (success | failure), PREVIEW_URL (when success), NEON_BRANCH, HEAD_SHA,
//   SCHEMA_DIFF (schema-diff.ts's output: the branch's schema against its parent's, base64),
//   GITHUB_SERVER_URL and GITHUB_RUN_ID (the run's link), GITHUB_API_URL (GitHub's REST API).
import { CiScriptError, isMain, requireEnv, runMain } from "./actions.js";
import { type GitHubTarget, github } from "./github-api.js";
import { SAME } from "./schema-diff.js";

export const MARKER = "<!-- workers-preview -->";

export interface CommentInput {
  status: "success" | "failure";
  url?: string;
  neonBranch?: string;
  headSha?: string;
  runUrl?: string;
  /** The unified diff of the branch's schema against its parent's; "" when they are the same. */
  schemaDiff?: string;
}

/** schema-diff.ts's output: "" or unset = not computed (the preview failed before it). */
function decodeDiff(output: string | undefined): string | undefined {
  if (!output) return undefined;
  return output === SAME ? "" : Buffer.from(output, "base64").toString("utf8");
}

/** The schema section: the diff in a collapsed block, or a line saying nothing changed. */
function schemaLines(diff: string | undefined): string[] {
  if (diff === undefined) return [];
  if (diff.trim() === "") return ["", "**Schema**: the same as the parent branch's."];
  const fence = diff.includes("```") ? "~~~~" : "```";
  return [
    "",
    "<details><summary><b>Schema</b>: changed against the parent branch</summary>",
    "",
    `${fence}diff`,
    diff.trimEnd(),
    fence,
    "",
    "</details>",
  ];
}

export function commentBody(input: CommentInput): string {
  const sha = input.headSha ? ` for \`${input.headSha.slice(0, 7)}\`` : "";
  const lines = [MARKER];
  if (input.status === "success") {
    if (!input.url) throw new CiScriptError("PREVIEW_URL is not set (status success needs the preview's URL)");
    lines.push(
      `### Preview${sha}: ${input.url}`,
      "",
      "| | |",
      "| --- | --- |",
      `| Worker | a Worker Preview in the preview account: ${input.url} |`,
      `| Database | Neon branch \`${input.neonBranch ?? "?"}\`, migrated; deleted when this PR closes |`,
      "| Smoke test | passed: `/health`, and `/users` refuses no token and answers the preview token |",
      ...schemaLines(input.schemaDiff),
    );
  } else {
    lines.push(`### Preview${sha} failed`, "", "The preview was not updated; the run says which step failed.");
  }
  if (input.runUrl) lines.push("", `[Workflow run](${input.runUrl})`);
  return `${lines.join("\n")}\n`;
}

/** Creates or edits the marked comment; returns what it did and the comment's id. */
interface IssueComment {
  id: number;
  body?: string | null;
  user?: { type?: string } | null;
}

export async function upsertComment(
  target: GitHubTarget,
  body: string,
): Promise<{ action: "created" | "updated"; id: number }> {
  const base = `/repos/${target.repository}/issues`;
  let existing: IssueComment | undefined;
  for (let page = 1; page <= 50 && !existing; page++) {
    const comments = (await github(
      target,
      "GET",
      `${base}/${target.prNumber}/comments?per_page=100&page=${page}`,
    )) as IssueComment[];
    existing = comments.find((c) => c.user?.type === "Bot" && c.body?.includes(MARKER));
    if (comments.length < 100) break;
  }
  if (existing) {
    await github(target, "PATCH", `${base}/comments/${existing.id}`, { body });
    return { action: "updated", id: existing.id };
  }
  const created = (await github(target, "POST", `${base}/${target.prNumber}/comments`, { body })) as IssueComment;
  return { action: "created", id: created.id };
}

async function main(): Promise<void> {
  const status = process.env.PREVIEW_STATUS;
  if (status !== "success" && status !== "failure") {
    throw new CiScriptError(`PREVIEW_STATUS must be success or failure (got "${status ?? ""}")`);
  }
  const repository = requireEnv("GITHUB_REPOSITORY", "owner/name of the repository");
  const prNumber = Number(requireEnv("PR_NUMBER", "the pull request's number"));
  if (!Number.isInteger(prNumber) || prNumber < 1) throw new CiScriptError("PR_NUMBER is not a number");
  const { GITHUB_SERVER_URL: server, GITHUB_RUN_ID: runId } = process.env;
  const body = commentBody({
    status,
    url: process.env.PREVIEW_URL || undefined,
    neonBranch: process.env.NEON_BRANCH || undefined,
    headSha: process.env.HEAD_SHA || undefined,
    runUrl: server && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    schemaDiff: decodeDiff(process.env.SCHEMA_DIFF),
  });
  const { action, id } = await upsertComment(
    {
      apiUrl: process.env.GITHUB_API_URL || "https://api.github.com",
      token: requireEnv("GITHUB_TOKEN", "a token with pull-requests: write"),
      repository,
      prNumber,
    },
    body,
  );
  console.log(`${action} comment ${id} on #${prNumber}`);
}

if (isMain(import.meta.url)) runMain("pr-comment", main);
