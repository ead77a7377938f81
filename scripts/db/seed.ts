// `npm run db:seed` (also `prisma db seed`): adds the demo users (by email) and posts (by id) that
// are missing from DIRECT_URL, leaves existing rows alone, and corrects each user's postCount.
import "dotenv/config";

import path from "node:path";
import { pathToFileURL } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";

import { parseDatabaseUrl } from "@starter/prisma-offline";
import { DatabaseScriptError, readDirectUrl, redactUrl } from "./direct-url.js";
import { SEED_POSTS, SEED_USERS } from "./seed-data.js";

export interface SeedOptions {
  /** Leave a database that already has users untouched (what `npm run dev` wants). */
  onlyIfEmpty?: boolean;
  log?: (line: string) => void;
}

export interface SeedResult {
  seeded: boolean;
  users: number;
  posts: number;
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
  const PrismaClient = await loadPrismaClient();
  const db = parseDatabaseUrl(url);
  const prisma = new PrismaClient({ adapter: new PrismaPg(db.poolConfig, { schema: db.schema }) });
  try {
    if (opts.onlyIfEmpty && (await prisma.user.count()) > 0) {
      log("database already has users; not seeding");
      return { seeded: false, users: await prisma.user.count(), posts: await prisma.post.count() };
    }
    // Existing rows are left as they are (update: {}), so a re-run changes nothing, not even
    // updatedAt, and edits made to the demo rows survive.
    await prisma.$transaction(async (tx) => {
      const users = [];
      for (const u of SEED_USERS) {
        users.push(await tx.user.upsert({ where: { email: u.email }, create: u, update: {} }));
      }
      const idByEmail = new Map(users.map((u) => [u.email, u.id]));
      for (const { authorEmail, ...p } of SEED_POSTS) {
        await tx.post.upsert({
          where: { id: p.id },
          create: { ...p, authorId: idByEmail.get(authorEmail)! },
          update: {},
        });
      }
      // Keep the denormalised counter true to the rows (including posts made outside the seed).
      for (const user of users) {
        const actual = await tx.post.count({ where: { authorId: user.id } });
        if (user.postCount !== actual) await tx.user.update({ where: { id: user.id }, data: { postCount: actual } });
      }
    });
    const result = { seeded: true, users: await prisma.user.count(), posts: await prisma.post.count() };
    log(`seeded ${redactUrl(url)}: ${result.users} users, ${result.posts} posts in total`);
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
