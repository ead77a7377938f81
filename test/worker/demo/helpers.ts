// The demo's users and posts, made through its own routes, for the demo's tests beside this file
// (README "Remove the demo" deletes this folder). The machinery's tests use ../fixture instead.
import { auth, call } from "../helpers";

let seq = 0;
export const uniqueEmail = (prefix = "user") =>
  `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;

export async function createUser(data: Record<string, unknown> = {}) {
  const res = await call("/users", { method: "POST", headers: auth, json: { email: uniqueEmail(), ...data } });
  if (res.status !== 201) throw new Error(`createUser: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; email: string; postCount: number; name: string | null; role: string };
}

export async function createPost(authorId: string, data: Record<string, unknown> = {}) {
  const res = await call("/posts", { method: "POST", headers: auth, json: { title: "A post", authorId, ...data } });
  if (res.status !== 201) throw new Error(`createPost: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; title: string; authorId: string; status: string; createdAt: string };
}

export async function getUser(id: string) {
  return (await (await call(`/users/${id}`)).json()) as { postCount: number };
}
