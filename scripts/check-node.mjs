// Runs first in the npm scripts a user types (plain JavaScript, so any Node can run it): a Node
// older than package.json's `engines` stops here in one line, before a database starts, instead
// of failing ~10 s later inside wrangler or vitest. `npm install` on an old Node only warns
// (EBADENGINE) and carries on.
import { readFileSync } from "node:fs";

const wanted = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines.node;
const [major, minor] = (/^>=\s*(\d+)\.(\d+)/.exec(wanted) ?? []).slice(1).map(Number);
const [hasMajor, hasMinor] = process.versions.node.split(".").map(Number);
if (hasMajor < major || (hasMajor === major && hasMinor < minor)) {
  console.error(
    `error: this is Node ${process.versions.node}; the project needs Node ${wanted.replace(">=", "≥ ")} (nvm use reads .nvmrc; then npm install again)`,
  );
  process.exit(1);
}
