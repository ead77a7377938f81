// Copies Swagger UI's prebuilt JS and CSS from node_modules into the Worker's static assets
// (dist/assets/docs-ui/, gitignored), so /docs works offline and adds nothing to the Worker bundle.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];
export const DOCS_UI_ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/assets/docs-ui");

export function copyDocsUi(target = DOCS_UI_ASSETS_DIR): void {
  const source = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  mkdirSync(target, { recursive: true });
  for (const file of FILES) copyFileSync(join(source, file), join(target, file));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  copyDocsUi();
  console.log(`docs UI assets → ${DOCS_UI_ASSETS_DIR}`);
}
