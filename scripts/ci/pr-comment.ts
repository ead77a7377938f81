// `npx tsx scripts/ci/pr-comment.ts`: create, or update in place, the one comment on a pull request
// that says where its preview is. The comment carries a hidden marker; a re-run finds the comment by
// it (among comments by bots, so a human quoting the marker is left alone) and edits it instead of
// adding another. Reads, from the environment:
//   GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY (owner/name), PR_NUMBER,
//   PREVIEW_STATUS (success | failure), PREVIEW_URL (when success), NEON_BRANCH, HEAD_SHA,
//   GITHUB_SERVER_URL and GITHUB_RUN_ID (the run's link), GITHUB_API_URL (GitHub's REST API).
import { CiScriptError, isMain, requireEnv, runMain } from "./actions.js";

export const MARKER = "<!-- workers-preview -->";

export interface CommentInput {
  status: "success" | "failure";
  url?: string;
  neonBranch?: string;
  headSha?: string;
  runUrl?: string;
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
      `| Worker | a preview version, not deployed: ${input.url} |`,
      `| Database | Neon branch \`${input.neonBranch ?? "?"}\`, migrated; deleted when this PR closes |`,
      "| Smoke test | passed: `/health`, and `/users` refuses no token and answers the preview token |",
    );
  } else {
    lines.push(`### Preview${sha} failed`, "", "The preview was not updated; the run says which step failed.");
  }
  if (input.runUrl) lines.push("", `[Workflow run](${input.runUrl})`);
  return `${lines.join("\n")}\n`;
}

export interface GitHubTarget {
  apiUrl: string;
  token: string;
  repository: string;
  prNumber: number;
}

interface IssueComment {
  id: number;
  body?: string | null;
  user?: { type?: string } | null;
}

async function github(target: GitHubTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${target.apiUrl.replace(/\/+$/, "")}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${target.token}`,
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = "";
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? "");
    } catch {}
    throw new CiScriptError(`GitHub answered ${response.status} to ${method} ${path}${message ? ` (${message})` : ""}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/** Creates or edits the marked comment; returns what it did and the comment's id. */
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
