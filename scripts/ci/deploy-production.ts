// `npx tsx scripts/ci/deploy-production.ts [--config FILE] [--dry-run]`: production's deploy, as
// deploy.yml runs it. `wrangler deploy` keeps every secret it is not given from the Worker's NEWEST
// version, deployed or not, so a deploy that relied on that could pick up whatever was uploaded
// last. This one gives production's own secrets every time (from the environment: the GitHub
// environment `production`), and refuses to deploy without each of them. Run `npm run build` first.
import { isMain, parseCli, runMain } from "./actions.js";
import { readSecrets, readWorkerConfig, requiredSecrets } from "./worker-secrets.js";
import { type Echo, runWranglerWithSecrets } from "./wrangler.js";

const WHY: Record<string, string> = {
  DATABASE_URL: "production's pooled connection string: the secret PRODUCTION_DATABASE_URL",
  API_TOKEN: "production's bearer token: the secret PRODUCTION_API_TOKEN",
};

export interface DeployOptions {
  config?: string;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  echo?: Echo;
}

export async function deployProduction(opts: DeployOptions = {}): Promise<{ secrets: string[] }> {
  const config = readWorkerConfig(opts.config);
  const names = requiredSecrets(config);
  const secrets = readSecrets(names, opts.env ?? process.env, WHY);
  const args = ["deploy", "--config", config.path];
  if (opts.dryRun) args.push("--dry-run");
  await runWranglerWithSecrets(args, secrets, { echo: opts.echo, what: "wrangler deploy" });
  return { secrets: names };
}

async function main(): Promise<void> {
  const { values } = parseCli(
    { options: { config: { type: "string" }, "dry-run": { type: "boolean", default: false } } },
    "deploy-production.ts [--config FILE] [--dry-run]",
  );
  const { secrets } = await deployProduction({ config: values.config, dryRun: values["dry-run"] });
  console.log(`${values["dry-run"] ? "dry run: would deploy" : "deployed"} with its own ${secrets.join(" and ")}`);
}

if (isMain(import.meta.url)) runMain("deploy-production", main);
