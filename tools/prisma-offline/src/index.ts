// The Prisma CLI without its native schema engine: the launcher (`npm run prisma`), the
// wasm stand-in it swaps in, and the Postgres URL helpers both share with the scripts.
export { prismaEnv, type RunPrismaOptions, runPrisma } from "./cli.js";
export { MigrateDeployError, migrateDeploy } from "./migrate-deploy.js";
export { type ChildResult, runProcess } from "./process.js";
export { redactUrl } from "./redact.js";
export { type ParsedDatabaseUrl, parseDatabaseUrl } from "./schema-engine/pg-config.js";
export {
  chooseSchemaEngine,
  findNativeSchemaEngine,
  PROJECT_ROOT,
  type SchemaEngineChoice,
  WASM_STAND_IN,
} from "./schema-engine-path.js";
