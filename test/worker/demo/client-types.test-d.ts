// Type-level test: the API's types reach a front end through Hono's `hc` client.
// Run by vitest's typecheck mode (project "types", tsconfig test/worker) and by `npm run typecheck`:
// every @ts-expect-error must be an error, or the check fails.
import { hc } from "hono/client";
import { expectTypeOf, test } from "vitest";
import type { AppType } from "../../../src/index";

const client = hc<AppType>("https://api.example.com", { headers: { Authorization: "Bearer t" } });

test("the API's request and response types reach hc<AppType>", () => {
  expectTypeOf(typedCalls).returns.resolves.toBeVoid();
});

async function typedCalls(): Promise<void> {
  const list = await client.users.$get({ query: { limit: 10, role: "ADMIN" } });
  if (list.ok) {
    const page = await list.json();
    // Only for the user and admins, and a user created from a token may have none.
    const email: string | null | undefined = page.items[0]!.email;
    const next: string | null = page.nextCursor;
    void email;
    void next;
  }

  const created = await client.posts.$post({
    json: { title: "Hello", authorId: "0b3c8f4e-1c9a-4a51-9e0b-7f8a1d2c3e4f" },
    header: { "idempotency-key": "k-1" },
  });
  if (created.status === 201) {
    const post = await created.json();
    const status: "DRAFT" | "PUBLISHED" = post.status;
    void status;
  }

  await client.posts[":id"].move.$post({ param: { id: "x" }, json: { authorId: "y" }, header: {} });

  // @ts-expect-error a post has no `email`
  await client.posts.$post({ json: { title: "t", authorId: "a", email: "x" }, header: {} });
  // @ts-expect-error `title` is required
  await client.posts.$post({ json: { authorId: "a" }, header: {} });
  // The author defaults to the caller.
  await client.posts.$post({ json: { title: "t" }, header: {} });
  // @ts-expect-error role is "USER" | "ADMIN"
  await client.users.$get({ query: { role: "ROOT" } });
  // @ts-expect-error no such route (a name no model of yours will take)
  await client["no-such-route"].$get();

  const user = await client.users[":id"].$get({ param: { id: "x" } });
  if (user.status === 200) {
    const body = await user.json();
    // @ts-expect-error postCount is a number
    const wrong: string = body.postCount;
    void wrong;
  }
}
