// `npx tsx scripts/ci/schema-diff.ts`: the preview branch's schema against its parent's, as a unified
// diff, the way Neon's schema-diff action computes it (each branch's schema dump from Neon's API).
// Not that action itself: it posts its own comment, so the job holding the Neon key would need
// pull-requests: write. Here the diff travels to the comment job as the step output `schema_diff`
// (base64, cut at MAX_BYTES), and that job posts it. Prints one line: what changed, or nothing.
// Reads NEON_API_KEY, NEON_PROJECT_ID, NEON_BRANCH_ID, and optionally NEON_DATABASE, NEON_API_HOST.
import { createTwoFilesPatch } from "diff";
import { CiScriptError, isMain, requireEnv, runMain, setOutput } from "./actions.js";
import { type NeonApiOptions, neonGet } from "./neon-api.js";

/** A GitHub job output holds 1 MB in all; a diff longer than this is cut, and says so. */
export const MAX_BYTES = 60_000;

export interface SchemaDiffOptions extends NeonApiOptions {
  projectId: string;
  branchId: string;
  database?: string;
}

interface Branch {
  id: string;
  name: string;
  parent_id?: string;
}

export async function schemaDiff(opts: SchemaDiffOptions): Promise<{ diff: string; base: string; branch: string }> {
  const project = `/projects/${encodeURIComponent(opts.projectId)}`;
  const branchOf = async (id: string) =>
    ((await neonGet(opts, `${project}/branches/${encodeURIComponent(id)}`, {}, `branch ${id}`)) as { branch: Branch })
      .branch;
  const schemaOf = async (b: Branch) => {
    const db = opts.database ?? "neondb";
    const body = await neonGet(
      opts,
      `${project}/branches/${encodeURIComponent(b.id)}/schema`,
      { db_name: db },
      `the schema of branch ${b.name}`,
    );
    return String((body as { sql?: unknown }).sql ?? "");
  };
  const branch = await branchOf(opts.branchId);
  if (!branch.parent_id) throw new CiScriptError(`branch ${branch.name} has no parent to compare with`);
  const base = await branchOf(branch.parent_id);
  const [before, after] = await Promise.all([schemaOf(base), schemaOf(branch)]);
  const file = `${opts.database ?? "neondb"}-schema.sql`;
  const diff =
    before === after
      ? ""
      : createTwoFilesPatch(file, file, before, after, `branch ${base.name}`, `branch ${branch.name}`);
  return { diff, base: base.name, branch: branch.name };
}

/** What the output says when the schemas are the same ("" would read as "not computed"). */
export const SAME = "same";

/** The diff as one line for a step output; a diff over MAX_BYTES is cut at a line and marked. */
export function encodeDiff(diff: string): string {
  if (diff === "") return SAME;
  let text = diff;
  if (Buffer.byteLength(text) > MAX_BYTES) {
    text = `${Buffer.from(text)
      .subarray(0, MAX_BYTES)
      .toString("utf8")
      .replace(/\n[^\n]*$/, "")}\n… (cut: the whole diff is in the preview job's log)\n`;
  }
  return Buffer.from(text).toString("base64");
}

async function main(): Promise<void> {
  const { diff, base, branch } = await schemaDiff({
    apiKey: requireEnv("NEON_API_KEY", "a Neon API key, the secret NEON_API_KEY"),
    projectId: requireEnv("NEON_PROJECT_ID", "the Neon project's id, the variable NEON_PROJECT_ID"),
    branchId: requireEnv("NEON_BRANCH_ID", "create-branch-action's branch_id output"),
    database: process.env.NEON_DATABASE || undefined,
    apiHost: process.env.NEON_API_HOST || undefined,
  });
  setOutput("schema_diff", encodeDiff(diff));
  if (!diff) {
    console.log(`schema: branch ${branch} has the schema of ${base}`);
    return;
  }
  const changed = diff.split("\n").filter((l) => /^[+-](?![+-])/.test(l)).length;
  console.log(`schema: branch ${branch} differs from ${base} in ${changed} lines:`);
  console.log(diff);
}

if (isMain(import.meta.url)) runMain("schema-diff", main);
