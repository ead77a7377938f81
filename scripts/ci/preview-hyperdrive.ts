// `npx tsx scripts/ci/preview-hyperdrive.ts <ensure|delete|sweep> [--name NAME] [--prefix PREFIX] [--config FILE]`:
// each preview's own Hyperdrive config, so that a preview runs the production path (PrismaPg over
// Hyperdrive) on its own Neon branch, never production's database.
//   ensure --name preview-pr-12   the config on DIRECT_URL (the branch's direct string), created or
//                                 updated; caching off (the API reads its writes); output `id`.
//                                 Nothing when wrangler.toml binds no [[hyperdrive]] (--config FILE)
//   delete --name preview-pr-12   the config, if there is one (PR closed)
//   sweep --prefix preview-pr-    every <prefix><number> config whose pull request is not open
//                                 (GITHUB_TOKEN, GITHUB_REPOSITORY): what a failed cleanup left
// In the preview account (CLOUDFLARE_API_TOKEN needs Account → Hyperdrive → Edit there).
import { CiScriptError, isMain, mask, parseCli, requireEnv, runMain, setOutput } from "./actions.js";
import { accountFromEnv, type CloudflareAccount, cloudflare } from "./cloudflare-api.js";
import { openPullRequests } from "./github-api.js";
import { readWorkerConfig } from "./worker-secrets.js";

interface HyperdriveConfig {
  id: string;
  name: string;
}

/** Hyperdrive's origin for a Postgres URL (its fields, password included; Neon needs TLS). */
export function originOf(directUrl: string) {
  let url: URL;
  try {
    url = new URL(directUrl);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error();
  } catch {
    throw new CiScriptError("DIRECT_URL is not a postgresql:// connection string");
  }
  if (url.hostname.includes("-pooler")) {
    throw new CiScriptError("DIRECT_URL has a -pooler host: Hyperdrive pools itself, give it the direct string");
  }
  return {
    scheme: "postgres",
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)) || "neondb",
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

const list = async (account: CloudflareAccount) =>
  (await cloudflare(account, "GET", "/hyperdrive/configs")) as HyperdriveConfig[];

export async function ensureConfig(account: CloudflareAccount, name: string, directUrl: string): Promise<string> {
  const origin = originOf(directUrl);
  mask(origin.password);
  const body = { name, origin, caching: { disabled: true } };
  const existing = (await list(account)).find((c) => c.name === name);
  const config = existing
    ? ((await cloudflare(account, "PUT", `/hyperdrive/configs/${existing.id}`, body)) as HyperdriveConfig)
    : ((await cloudflare(account, "POST", "/hyperdrive/configs", body)) as HyperdriveConfig);
  return config.id;
}

export async function deleteConfigs(account: CloudflareAccount, doomed: (name: string) => boolean): Promise<string[]> {
  const deleted: string[] = [];
  for (const config of await list(account)) {
    if (!doomed(config.name)) continue;
    await cloudflare(account, "DELETE", `/hyperdrive/configs/${config.id}`);
    deleted.push(config.name);
  }
  return deleted;
}

/** The PR number a name `<prefix><n>` stands for, or undefined for any other name. */
export function prNumberOf(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

async function main(): Promise<void> {
  const { values, positionals } = parseCli(
    {
      allowPositionals: true,
      options: { name: { type: "string" }, prefix: { type: "string" }, config: { type: "string" } },
    },
    "preview-hyperdrive.ts <ensure|delete|sweep> [--name NAME] [--prefix PREFIX] [--config FILE]",
  );
  const command = positionals[0];
  const account = accountFromEnv();
  if (command === "ensure" || command === "delete") {
    const name = values.name;
    if (!name || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
      throw new CiScriptError("--name needs a name like preview-pr-12");
    if (command === "ensure") {
      if (!readWorkerConfig(values.config).hyperdrive) {
        console.log("hyperdrive: wrangler.toml binds none; the preview uses its branch's DATABASE_URL");
        return;
      }
      const id = await ensureConfig(account, name, requireEnv("DIRECT_URL", "the preview branch's direct string"));
      setOutput("id", id);
      console.log(`hyperdrive: ${name} is ${id}, on the preview branch`);
    } else {
      const deleted = await deleteConfigs(account, (n) => n === name);
      console.log(deleted.length ? `hyperdrive: deleted ${name}` : `hyperdrive: no ${name} to delete`);
    }
    return;
  }
  if (command === "sweep") {
    const prefix = values.prefix;
    if (!prefix) throw new CiScriptError("--prefix is required (e.g. --prefix preview-pr-)");
    const open = await openPullRequests({
      apiUrl: process.env.GITHUB_API_URL || "https://api.github.com",
      token: requireEnv("GITHUB_TOKEN", "a token that can read pull requests"),
      repository: requireEnv("GITHUB_REPOSITORY", "owner/name of the repository"),
    });
    const deleted = await deleteConfigs(account, (name) => {
      const pr = prNumberOf(name, prefix);
      return pr !== undefined && !open.has(pr);
    });
    console.log(
      `hyperdrive: swept ${deleted.length} orphaned config(s)${deleted.length ? `: ${deleted.join(", ")}` : ""}`,
    );
    return;
  }
  throw new CiScriptError(`unknown command "${command ?? ""}" (ensure, delete or sweep)`);
}

if (isMain(import.meta.url)) runMain("preview-hyperdrive", main);
