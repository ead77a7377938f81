// GitHub's REST API for the scripts/ci/* steps: the token as a bearer, errors as one line.
import { CiScriptError } from "./actions.js";

export interface GitHubTarget {
  apiUrl: string;
  token: string;
  repository: string;
  prNumber: number;
}

/** The numbers of the repository's open pull requests. */
export async function openPullRequests(target: Omit<GitHubTarget, "prNumber">): Promise<Set<number>> {
  const open = new Set<number>();
  for (let page = 1; page <= 50; page++) {
    const pulls = (await github(
      { ...target, prNumber: 0 },
      "GET",
      `/repos/${target.repository}/pulls?state=open&per_page=100&page=${page}`,
    )) as Array<{ number: number }>;
    for (const p of pulls) open.add(p.number);
    if (pulls.length < 100) break;
  }
  return open;
}

export async function github(target: GitHubTarget, method: string, path: string, body?: unknown): Promise<unknown> {
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
