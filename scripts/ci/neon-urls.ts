// `npx tsx scripts/ci/neon-urls.ts`: the direct and pooled connection strings of one Neon branch,
// masked before anything can print them, as the step outputs `direct_url` and `pooled_url`.
// Why not create-branch-action's db_url outputs: the runner prints a step's `env:` and `with:` values
// in its log header before the step runs, so the first step given an unmasked output leaks the
// password; these URLs are masked (::add-mask::) by the process that receives them.
// Reads NEON_API_KEY, NEON_PROJECT_ID, NEON_BRANCH_ID (the action's branch_id output), and optionally
// NEON_DATABASE (neondb), NEON_ROLE (neondb_owner), NEON_API_HOST (Neon's public API).
import { CiScriptError, isMain, mask, requireEnv, runMain, setOutput } from "./actions.js";
import { type NeonApiOptions, neonGet } from "./neon-api.js";

export interface BranchUrlsOptions extends NeonApiOptions {
  projectId: string;
  branchId: string;
  database?: string;
  role?: string;
}

export interface BranchUrls {
  directUrl: string;
  pooledUrl: string;
}

async function connectionUri(opts: BranchUrlsOptions, pooled: boolean): Promise<string> {
  const what = `the ${pooled ? "pooled" : "direct"} connection string of branch ${opts.branchId}`;
  const body = await neonGet(
    opts,
    `/projects/${encodeURIComponent(opts.projectId)}/connection_uri`,
    {
      branch_id: opts.branchId,
      database_name: opts.database ?? "neondb",
      role_name: opts.role ?? "neondb_owner",
      pooled: String(pooled),
    },
    what,
  );
  const uri = (body as { uri?: unknown } | null)?.uri;
  if (typeof uri !== "string" || !/^postgres(ql)?:\/\//.test(uri)) {
    throw new CiScriptError(`Neon's API answered without a connection string for ${what}`);
  }
  return uri;
}

/** Masks a connection string and its password (alone, raw and decoded), so neither can be logged. */
export function maskConnectionString(uri: string): void {
  mask(uri);
  try {
    const password = new URL(uri).password;
    mask(password);
    mask(decodeURIComponent(password));
  } catch {
    // Not a URL: the whole string is masked already.
  }
}

export async function branchUrls(opts: BranchUrlsOptions): Promise<BranchUrls> {
  const directUrl = await connectionUri(opts, false);
  maskConnectionString(directUrl);
  const pooledUrl = await connectionUri(opts, true);
  maskConnectionString(pooledUrl);
  // Migrations need the direct host (db:migrate refuses -pooler); the Worker takes the pooled one.
  if (new URL(directUrl).hostname.includes("-pooler")) {
    throw new CiScriptError("Neon's direct connection string has a -pooler host");
  }
  if (!new URL(pooledUrl).hostname.includes("-pooler")) {
    throw new CiScriptError("Neon's pooled connection string has no -pooler host");
  }
  return { directUrl, pooledUrl };
}

async function main(): Promise<void> {
  const { directUrl, pooledUrl } = await branchUrls({
    apiKey: requireEnv("NEON_API_KEY", "a Neon API key, the secret NEON_API_KEY"),
    projectId: requireEnv("NEON_PROJECT_ID", "the Neon project's id, the variable NEON_PROJECT_ID"),
    branchId: requireEnv("NEON_BRANCH_ID", "create-branch-action's branch_id output"),
    database: process.env.NEON_DATABASE || undefined,
    role: process.env.NEON_ROLE || undefined,
    apiHost: process.env.NEON_API_HOST || undefined,
    backoffMs: process.env.NEON_API_BACKOFF_MS ? Number(process.env.NEON_API_BACKOFF_MS) : undefined,
  });
  setOutput("direct_url", directUrl);
  setOutput("pooled_url", pooledUrl);
  const host = (u: string) => new URL(u).hostname;
  console.log(`branch ${process.env.NEON_BRANCH_ID}: direct host ${host(directUrl)}, pooled host ${host(pooledUrl)}`);
}

if (isMain(import.meta.url)) runMain("neon-urls", main);
