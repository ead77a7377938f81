// `npm run build`: everything wrangler needs before it can bundle or serve the Worker —
// Prisma Client (src/generated; plus the Node client scripts/ uses) and the /docs UI assets
// (dist/assets). Both are generated, gitignored, and rebuilt before dev, test and deploy.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runPrisma } from "@starter/prisma-offline";
import { copyDocsUi } from "./docs-ui";

export async function buildWorkerInputs(log: (line: string) => void = () => {}): Promise<void> {
  const generated = await runPrisma(["generate"], { quiet: true });
  if (generated.code !== 0) {
    const reason = `${generated.stderr}\n${generated.stdout}`.trim().split("\n").filter(Boolean).at(-1);
    throw new Error(`prisma generate failed: ${reason ?? `exit ${generated.code}`}`);
  }
  log("generated Prisma Client");
  copyDocsUi();
  log("copied the /docs UI assets");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWorkerInputs((line) => console.log(`[build] ${line}`)).catch((error: unknown) => {
    console.error(`[build] error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
