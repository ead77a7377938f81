// Prisma CLI configuration (Prisma 7 reads no .env by itself, hence dotenv).
import "dotenv/config";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx scripts/db/seed.ts",
  },
  datasource: {
    // The CLI (migrate, db push, studio) needs a session-capable connection: Neon's
    // direct host, never the -pooler one. Read from process.env rather than env()
    // so generate/validate/format still work when DIRECT_URL is unset.
    // No shadowDatabaseUrl: `migrate dev` creates and drops a temporary one itself.
    url: process.env.DIRECT_URL,
  },
});
