import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../../src/db/prisma";
import type { Bindings } from "../../../src/env";
import type { PrismaClient } from "../../../src/generated/prisma/client";
import { uniqueEmail } from "./helpers";

// Which Prisma 7.10 operations work over PrismaNeonHttp (no transactions). Some 7.8–7.9 releases
// wrapped createMany/updateMany in an internal transaction, which broke them over HTTP.
describe("Prisma operations over the HTTP transport (pinned 7.10)", () => {
  let http: PrismaClient;
  let authorId: string;
  beforeAll(async () => {
    http = createPrismaClient(env as Bindings, "http");
    authorId = (await http.user.create({ data: { email: uniqueEmail("safety") } })).id;
  });
  afterAll(() => http.$disconnect());

  it("create, findUnique, findMany, count, aggregate", async () => {
    const post = await http.post.create({ data: { title: "h", authorId } });
    expect(await http.post.findUnique({ where: { id: post.id } })).toMatchObject({ id: post.id });
    expect((await http.post.findMany({ where: { authorId } })).length).toBe(1);
    expect(await http.post.count({ where: { authorId } })).toBe(1);
    // 1: the post's INSERT bumped it (the postCount trigger).
    expect((await http.user.aggregate({ _max: { postCount: true }, where: { id: authorId } }))._max.postCount).toBe(1);
  });

  it("createMany and createManyAndReturn", async () => {
    expect(
      (
        await http.post.createMany({
          data: [
            { title: "m1", authorId },
            { title: "m2", authorId },
          ],
        })
      ).count,
    ).toBe(2);
    expect((await http.post.createManyAndReturn({ data: [{ title: "m3", authorId }] })).length).toBe(1);
  });

  it("update, updateMany (with an atomic increment), updateManyAndReturn", async () => {
    const post = await http.post.create({ data: { title: "u", authorId } });
    expect((await http.post.update({ where: { id: post.id }, data: { title: "u2" } })).title).toBe("u2");
    expect((await http.post.updateMany({ where: { authorId }, data: { status: "PUBLISHED" } })).count).toBeGreaterThan(
      0,
    );
    const { postCount } = await http.user.findUniqueOrThrow({ where: { id: authorId } });
    await http.user.updateMany({ where: { id: authorId }, data: { postCount: { increment: 2 } } });
    expect((await http.user.findUniqueOrThrow({ where: { id: authorId } })).postCount).toBe(postCount + 2);
    expect((await http.post.updateManyAndReturn({ where: { id: post.id }, data: { content: "c" } }))[0]?.content).toBe(
      "c",
    );
  });

  it("upsert (both branches), delete, deleteMany", async () => {
    const email = uniqueEmail("upsert");
    const made = await http.user.upsert({ where: { email }, create: { email }, update: { name: "again" } });
    expect((await http.user.upsert({ where: { email }, create: { email }, update: { name: "again" } })).name).toBe(
      "again",
    );
    const post = await http.post.create({ data: { title: "d", authorId: made.id } });
    expect((await http.post.delete({ where: { id: post.id } })).id).toBe(post.id);
    expect((await http.post.deleteMany({ where: { authorId: made.id } })).count).toBe(0);
  });

  it("relation reads (include) work", async () => {
    const user = await http.user.findUniqueOrThrow({
      where: { id: authorId },
      include: { posts: { orderBy: { title: "asc" } } },
    });
    expect(user.posts.length).toBeGreaterThan(0);
  });

  it("refuses nested writes (create with related records): Prisma runs them in a transaction", async () => {
    await expect(
      http.user.create({ data: { email: uniqueEmail("nested"), posts: { create: [{ title: "n1" }] } } }),
    ).rejects.toThrow(/Transactions are not supported in HTTP mode/);
  });

  it("refuses interactive transactions", async () => {
    await expect(http.$transaction(async (tx) => tx.user.count())).rejects.toThrow(
      /Transactions are not supported in HTTP mode/,
    );
  });

  it("refuses batch transactions ($transaction([...]))", async () => {
    await expect(http.$transaction([http.user.count(), http.post.count()])).rejects.toThrow(
      /not supported in HTTP mode/,
    );
  });
});
