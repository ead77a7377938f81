// `prisma migrate deploy` through the launcher, reduced to what callers need: the migrations it
// applied, or one line saying why it failed.
import { runPrisma } from "./cli.js";
import { redactUrl } from "./redact.js";

export class MigrateDeployError extends Error {
  override name = "MigrateDeployError";
}

/** Last meaningful line of Prisma's error output, e.g. "P3009: migrate found failed migrations …". */
function prismaFailureReason(stderr: string, stdout: string): string {
  const lines = `${stderr}\n${stdout}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("Loaded Prisma config") && !l.startsWith("Prisma schema loaded"));
  const code = lines.find((l) => /^(Error: )?P\d{4}$/.test(l))?.replace("Error: ", "");
  const errorIdx = lines.findIndex((l) => l.startsWith("Error:"));
  const detail = lines.slice(Math.max(errorIdx, 0)).find((l) => !/^(Error: )?P\d{4}$/.test(l) && l !== "Error:");
  const text = (detail ?? "unknown error").replace(/^Error:\s*/, "");
  return code ? `${code}: ${text}` : text;
}

/** Applies prisma/migrations to `directUrl`; resolves with the names of those it applied. */
export async function migrateDeploy(directUrl: string): Promise<{ applied: string[] }> {
  const { code, stdout, stderr } = await runPrisma(["migrate", "deploy"], {
    env: { DIRECT_URL: directUrl },
    quiet: true,
  });
  if (code !== 0) {
    throw new MigrateDeployError(
      `prisma migrate deploy failed (exit ${code}): ${redactUrl(prismaFailureReason(stderr, stdout))}`,
    );
  }
  // Prisma lists what it applied as "└─ <name>/" lines.
  return { applied: [...stdout.matchAll(/└─ ([^/\s]+)\//g)].map((m) => m[1]!) };
}
