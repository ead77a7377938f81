import { describe, expect, it } from "vitest";
import { auth, callWith } from "../helpers";
import { stack } from "../stack";
import { uniqueEmail } from "./helpers";

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { ...auth, "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

// DATABASE_SCHEMA picks the Postgres schema Prisma queries, on every transport. The test stack
// migrated a second schema; rows written there must be invisible from "public".
describe("the DATABASE_SCHEMA binding", () => {
  it("sends single statements (users) and transactions (posts) to that schema", async () => {
    const alt = { DATABASE_SCHEMA: stack().altSchema };

    const user = await callWith(alt, "/users", json({ email: uniqueEmail("schema") })); // HTTP
    expect(user.status).toBe(201);
    const { id: authorId } = (await user.json()) as { id: string };
    expect((await callWith(alt, `/users/${authorId}`)).status).toBe(200); // HTTP
    expect((await callWith({}, `/users/${authorId}`)).status).toBe(404); // not in public

    // Creating a post checks the author (the foreign key): it can only succeed if the post's
    // INSERT goes to the same schema as the user's.
    const post = await callWith(alt, "/posts", json({ title: "In the other schema", authorId }));
    expect(post.status).toBe(201);
    const { id: postId } = (await post.json()) as { id: string };
    expect((await callWith(alt, `/posts/${postId}`)).status).toBe(200);
    expect((await callWith({}, `/posts/${postId}`)).status).toBe(404);
  });

  it("the postCount trigger counts in the posts' own schema, whatever the session's search_path", async () => {
    const alt = { DATABASE_SCHEMA: stack().altSchema };
    const newUser = async () => {
      const res = await callWith(alt, "/users", json({ email: uniqueEmail("schema") }));
      return ((await res.json()) as { id: string }).id;
    };
    const [from, to] = [await newUser(), await newUser()];
    const postCounts = async () =>
      Promise.all(
        [from, to].map(
          async (id) => ((await (await callWith(alt, `/users/${id}`)).json()) as { postCount: number }).postCount,
        ),
      );
    const post = await callWith(alt, "/posts", json({ title: "Counted in the other schema", authorId: from }));
    expect(post.status).toBe(201);
    const { id: postId } = (await post.json()) as { id: string };
    expect(await postCounts()).toEqual([1, 0]);
    expect((await callWith(alt, `/posts/${postId}/move`, json({ authorId: to }))).status).toBe(200);
    expect(await postCounts()).toEqual([0, 1]);
    const removed = await callWith(alt, `/posts/${postId}`, { method: "DELETE", headers: auth });
    expect(removed.status).toBe(204);
    expect(await postCounts()).toEqual([0, 0]);
  });
});
