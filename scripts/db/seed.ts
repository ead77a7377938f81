// `npm run db:seed` (also `prisma db seed`): runs scripts/db/seed-data.ts's `seed` on DIRECT_URL, in
// one transaction. The demo's adds the demo users (by email) and posts (by id) that are missing,
// and leaves existing rows alone (each user's postCount is kept by the database's trigger).
import "dotenv/config";

import path from "node:path";
import { pathToFileURL } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";

import { parseDatabaseUrl } from "@starter/prisma-offline";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { DatabaseScriptError, readDirectUrl, redactUrl } from "./direct-url.js";
import { seed as projectSeed } from "./seed-data.js";

/** What scripts/db/seed-data.ts exports as `seed` (or null: nothing to seed). */
export interface Seed {
  /** Whether the database has none of the seed's rows yet (`npm run dev` seeds only then). */
  isEmpty(prisma: PrismaClient): Promise<boolean>;
  /** Adds what is missing; re-runnable. Runs in one transaction. */
  run(tx: Prisma.TransactionClient): Promise<void>;
  /** What the database holds afterwards, for the log ("3 users, 4 posts"). */
  summary(prisma: PrismaClient): Promise<string>;
}

export interface SeedOptions {
  /** What to seed; default: scripts/db/seed-data.ts's `seed`. */
  seed?: Seed | null;
  /** Leave a database that already has the seed's rows untouched (what `npm run dev` wants). */
  onlyIfEmpty?: boolean;
  log?: (line: string) => void;
}

export interface SeedResult {
  seeded: boolean;
  /** What the database holds (Seed.summary), or why nothing was seeded. */
  summary: string;
}

// The Node-runtime client (generator "node"); the Worker's client only loads in workerd.
async function loadPrismaClient() {
  try {
    return (await import("../generated/prisma/client.js")).PrismaClient;
  } catch (error) {
    throw new DatabaseScriptError(
      `Prisma Client for Node is missing (scripts/generated/prisma): run \`npm run generate\` first (${(error as Error).message.split("\n")[0]}).`,
    );
  }
}

export async function seedDatabase(url: string, opts: SeedOptions = {}): Promise<SeedResult> {
  const log = opts.log ?? ((line: string) => console.log(`[db:seed] ${line}`));
  const seed = opts.seed === undefined ? (projectSeed as Seed | null) : opts.seed;
  const PrismaClient = await loadPrismaClient();
  const db = parseDatabaseUrl(url);
  const prisma = new PrismaClient({ adapter: new PrismaPg(db.poolConfig, { schema: db.schema }) });
  try {
    if (!seed) {
      const summary = "scripts/db/seed-data.ts exports no seed";
      log(`nothing to seed: ${summary}`);
      return { seeded: false, summary };
    }
    if (opts.onlyIfEmpty && !(await seed.isEmpty(prisma))) {
      const summary = `the database has data (${await seed.summary(prisma)})`;
      log(`not seeding: ${summary}`);
      return { seeded: false, summary };
    }
    await prisma.$transaction((tx) => seed.run(tx));
    const result = { seeded: true, summary: await seed.summary(prisma) };
    log(`seeded ${redactUrl(url)}: ${result.summary} in total`);
    return result;
  } finally {
    await prisma.$disconnect();
  }
}

async function main(): Promise<void> {
  try {
    await seedDatabase(readDirectUrl());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`db:seed: ${redactUrl(message.split("\n").find((l) => l.trim()) ?? message)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
