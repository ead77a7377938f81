// Fallback for `evaluateDataLoss` (run by `migrate dev` once migrations exist).
//
// The wasm engine 7.10.0-7 builds the "schema from migrations" for this one method without
// the driver adapter's shadow-database factory and fails with "PostgreSQL shadow DB must be
// provided through an external factory". `diff` from the migrations folder does use that
// factory, so we derive the same answer from its SQL script:
//   - migrationSteps: the number of steps in the script (the CLI only tests > 0);
//   - warnings: one per destructive statement. The native engine would also check whether
//     the affected tables hold rows; we cannot, so we warn whenever data *could* be lost,
//     which keeps migrate dev's "Are you sure?" prompt (and its --force / non-interactive rules).
import type { EvaluateDataLossInput, EvaluateDataLossOutput, MigrationFeedback } from "@prisma/schema-engine-wasm";

import type { SchemaEngineWasm } from "./load-wasm.js";

export const NEEDS_FALLBACK = /shadow DB must be provided through an external factory/;

// A step starts with a header comment such as "-- CreateTable" or "-- AlterEnum".
const STEP_HEADER = /^-- [A-Z][A-Za-z]+$/;
const DESTRUCTIVE =
  /\bDROP\s+(TABLE|COLUMN|TYPE|SCHEMA)\b|\bALTER\s+COLUMN\b[^;]*\bTYPE\b|\bSET\s+NOT\s+NULL\b|\bTRUNCATE\b|\bDELETE\s+FROM\b/i;

export async function evaluateDataLossViaDiff(
  engine: SchemaEngineWasm,
  input: EvaluateDataLossInput,
): Promise<EvaluateDataLossOutput> {
  const { stdout } = await engine.diff({
    from: { tag: "migrations", ...input.migrationsList },
    to: { tag: "schemaDatamodel", files: input.schema.files },
    script: true,
    exitCode: null,
    filters: input.filters,
  });
  const steps: string[][] = [];
  for (const line of (stdout ?? "").split("\n")) {
    if (STEP_HEADER.test(line.trim())) steps.push([]);
    else if (steps.length > 0 && line.trim()) steps.at(-1)!.push(line);
  }
  const warnings: MigrationFeedback[] = [];
  steps.forEach((lines, stepIndex) => {
    const sql = lines.join(" ").replace(/\s+/g, " ").trim();
    if (DESTRUCTIVE.test(sql)) {
      warnings.push({
        stepIndex,
        message: `This step may lose data (the wasm schema engine cannot check whether it would): ${sql}`,
      });
    }
  });
  return { migrationSteps: steps.length, warnings, unexecutableSteps: [] };
}
