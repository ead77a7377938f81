// `npm run db:check`: do prisma/schema.prisma and the committed prisma/migrations/ agree? Replays the
// migrations into a throwaway local database and diffs the result against the schema (`prisma migrate
// diff --exit-code`); a difference is one line saying what to run. Part of `npm test`, so a schema
// edit without its migration (or a hand-edited migration) never reaches review unnoticed.
// Touches no database of yours: DIRECT_URL is ignored here.
import { pathToFileURL } from "node:url";
import { createDatabase, startLocalPostgres, uniqueName } from "@starter/local-postgres";
import { runPrisma } from "@starter/prisma-offline";

export interface CheckOptions {
  schema?: string;
  migrations?: string;
  cwd?: string;
}

/** undefined when they agree; otherwise the one line to print. */
export async function checkMigrations(opts: CheckOptions = {}): Promise<string | undefined> {
  const schema = opts.schema ?? "prisma/schema.prisma";
  const migrations = opts.migrations ?? "prisma/migrations";
  const server = await startLocalPostgres({ kind: "auto" });
  try {
    const shadow = await createDatabase(server.url, uniqueName("drift"));
    const r = await runPrisma(
      ["migrate", "diff", "--from-migrations", migrations, "--to-schema", schema, "--exit-code"],
      { env: { DIRECT_URL: shadow }, quiet: true, cwd: opts.cwd },
    );
    if (r.code === 0) return undefined;
    if (r.code === 2) {
      return `${schema} and ${migrations}/ disagree: with npm run dev running, run npm run prisma -- migrate dev --name <what-changed> and commit the new migration`;
    }
    const why = `${r.stderr}\n${r.stdout}`.split("\n").find((l) => /error/i.test(l)) ?? `exit ${r.code}`;
    return `could not compare ${schema} with ${migrations}/: ${why.trim()}`;
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problem = await checkMigrations({ schema: process.argv[2], migrations: process.argv[3] });
  if (problem) {
    console.error(`[db:check] ${problem}`);
    process.exit(1);
  }
  console.log("[db:check] prisma/schema.prisma and prisma/migrations/ agree");
}
