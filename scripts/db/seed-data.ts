// The demo's rows for local development, and how scripts/db/seed.ts writes them. Fixed ids make
// the seed re-runnable: every row is upserted on a unique key (users by email, posts by id), so a
// second run changes nothing. Without the demo: `export const seed = null;` or a Seed of your own.
import type { Seed } from "./seed.js";

export interface SeedUser {
  email: string;
  name: string;
  role: "USER" | "ADMIN";
}

export interface SeedPost {
  id: string;
  authorEmail: string;
  title: string;
  content: string;
  status: "DRAFT" | "PUBLISHED";
}

export const SEED_USERS: readonly SeedUser[] = [
  { email: "ada@example.com", name: "Ada Lovelace", role: "ADMIN" },
  { email: "grace@example.com", name: "Grace Hopper", role: "USER" },
  { email: "linus@example.com", name: "Linus Torvalds", role: "USER" },
];

export const SEED_POSTS: readonly SeedPost[] = [
  {
    id: "0b9a3f6e-4c1d-4e8a-9f2b-000000000001",
    authorEmail: "ada@example.com",
    title: "Notes on the Analytical Engine",
    content: "The engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.",
    status: "PUBLISHED",
  },
  {
    id: "0b9a3f6e-4c1d-4e8a-9f2b-000000000002",
    authorEmail: "ada@example.com",
    title: "Bernoulli numbers, step by step",
    content: "Draft: a table of operations for computing B7.",
    status: "DRAFT",
  },
  {
    id: "0b9a3f6e-4c1d-4e8a-9f2b-000000000003",
    authorEmail: "grace@example.com",
    title: "It's easier to ask forgiveness",
    content: "…than it is to get permission.",
    status: "PUBLISHED",
  },
  {
    id: "0b9a3f6e-4c1d-4e8a-9f2b-000000000004",
    authorEmail: "linus@example.com",
    title: "Just a hobby, won't be big",
    content: "I'm doing a (free) operating system.",
    status: "PUBLISHED",
  },
];

export const seed: Seed = {
  isEmpty: async (prisma) => (await prisma.user.count()) === 0,
  async run(tx) {
    // Existing rows are left as they are (update: {}), so a re-run changes nothing, not even
    // updatedAt, and edits made to the demo rows survive.
    const users = [];
    for (const u of SEED_USERS) users.push(await tx.user.upsert({ where: { email: u.email }, create: u, update: {} }));
    const idByEmail = new Map(users.map((u) => [u.email, u.id]));
    // Each post the seed adds is counted in its author's postCount by the database (a trigger).
    for (const { authorEmail, ...p } of SEED_POSTS) {
      await tx.post.upsert({
        where: { id: p.id },
        create: { ...p, authorId: idByEmail.get(authorEmail)! },
        update: {},
      });
    }
  },
  summary: async (prisma) => `${await prisma.user.count()} users, ${await prisma.post.count()} posts`,
};
