// wrangler's [build] hook (wrangler.toml): wrangler runs it before `wrangler dev`, `wrangler deploy`
// and `wrangler versions upload`, so the plain commands behave like the npm scripts:
//  - the Worker's generated inputs (Prisma Client, the /docs assets) are built when missing or
//    older than the schema, instead of failing on a missing import or dist/assets;
//  - `wrangler dev` outside `npm run dev` with no database of the user's own says so in one line
//    (a failing hook would make wrangler print a screenful), and so does a .env that wrangler
//    would hand to the Worker (DIRECT_URL is for the Node scripts only).
// Plain JavaScript and no work when nothing is missing: wrangler dev runs it again on every edit.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { parse } from "dotenv";

const root = new URL("../", import.meta.url);
const at = (file) => new URL(file, root);
const mtime = (file) => (existsSync(at(file)) ? statSync(at(file)).mtimeMs : 0);

const client = mtime("src/generated/prisma/client.ts");
const stale = client === 0 || client < mtime("prisma/schema.prisma") || !existsSync(at("dist/assets/docs-ui"));
if (stale) {
  const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** npm run dev (and the tests, bench and reliability runs) bind the Worker to the local stack. */
const onLocalStack = process.env.STARTER_LOCAL_STACK === "1";
const hasDevVars = existsSync(at(".dev.vars"));
const devVars = hasDevVars ? parse(readFileSync(at(".dev.vars"))) : {};
const ownDatabase = Boolean(
  devVars.DATABASE_URL || process.env.CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE,
);
if (process.env.WRANGLER_COMMAND === "dev" && !onLocalStack) {
  if (!ownDatabase) {
    console.log(
      "warning: `wrangler dev` alone has no database here (routes answer 503): use `npm run dev` (the local Neon, then wrangler dev), or set DATABASE_URL in .dev.vars (.dev.vars.example)",
    );
  }
  // wrangler falls back to .env only when there is no .dev.vars.
  const handsOverDotEnv = !hasDevVars && existsSync(at(".env"));
  if (handsOverDotEnv && process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV !== "false") {
    console.log(
      "warning: wrangler hands .env (DIRECT_URL) to the Worker: add CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false to .env (.env.example has it)",
    );
  }
}
