import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEnv, Bindings } from "../../src/env";
import { onError } from "../../src/errors/handler";
import { withPrisma } from "../../src/middleware/prisma";
import { call, callWith, createNote, createTopic, getTopic, uniqueText } from "./fixture/client";
import { auth, holdTopicRow, problemOf } from "./helpers";
import { closedPort, hyperdriveWithPassword, onHyperdrive, withPassword } from "./paths";

afterEach(() => vi.restoreAllMocks());

/** Nothing a client sees may carry a stack trace, SQL or a connection string. */
function expectNoLeaks(text: string) {
  expect(text).not.toMatch(/postgres(ql)?:\/\//i);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET)\b/);
  expect(text).not.toContain("prisma.");
}

describe("routing errors", () => {
  it("404 problem+json for an unknown route", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ title: "Not Found", instance: "/nope", type: "about:blank" });
  });

  it("405 with Allow for a known path and a wrong method", async () => {
    const res = await call("/notes", { method: "PUT", headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, POST");
    await problemOf(res);
    const byId = await call(`/notes/${crypto.randomUUID()}`, { method: "POST", headers: auth });
    expect(byId.status).toBe(405);
    expect(byId.headers.get("Allow")).toBe("GET, HEAD");
  });
});

describe("database unavailable → 503 + Retry-After, on every transport", () => {
  // HTTP: nothing listens where the driver sends /sql (fetch fails, as when Neon is unreachable).
  // WebSocket: the proxy refuses to connect to the compute (FATAL "Couldn't connect to compute
  // node"-style refusal) because the URL names a database it does not front.
  // Hyperdrive: nothing listens at the binding's origin, for both routes.
  const closedProxy = (): Partial<Bindings> => closedPort(1);
  const refusedCompute = (): Partial<Bindings> => {
    if (onHyperdrive) return closedPort(1);
    const url = new URL((env as Bindings).DATABASE_URL);
    url.port = "1";
    return { DATABASE_URL: url.href };
  };
  it.each([
    ["statement", "GET", "/notes", undefined, closedProxy],
    ["transaction", "POST", `/notes/${crypto.randomUUID()}/move`, { topicId: crypto.randomUUID() }, refusedCompute],
  ] as const)("%s: %s %s", async (_need, method, path, json, overrides) => {
    const logs = vi.spyOn(console, "warn").mockImplementation(() => {});
    const res = await callWith(overrides(), path, {
      method,
      headers: { ...auth, "Content-Type": "application/json" },
      body: json ? JSON.stringify(json) : undefined,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expectNoLeaks(await res.clone().text());
    await problemOf(res);
    const logged = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain('"msg":"database unavailable"');
    expect(logged).not.toContain((env as Bindings).DATABASE_URL);
  });
});

// Found by the isolation test (tools/bench/test/isolation.test.ts) on a loaded machine: a move that
// waited for rows concurrent moves held ran past Prisma's 5 s timeout, and its P2028 was a 500.
describe("a transaction that runs past DB_TRANSACTION_TIMEOUT_MS → 503 + Retry-After, rolled back", () => {
  it("a move waiting for a row another transaction holds", async () => {
    const logs = vi.spyOn(console, "warn").mockImplementation(() => {});
    const [from, to] = [await createTopic(), await createTopic()];
    const note = await createNote(from.id);
    // Holds the source topic's row (the move decrements its count) past the move's 300 ms.
    const holder = await holdTopicRow(from.id);
    const moving = callWith({ DB_TRANSACTION_TIMEOUT_MS: "300" }, `/notes/${note.id}/move`, {
      method: "POST",
      json: { topicId: to.id },
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await holder.release();
    const res = await moving;
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expectNoLeaks(await res.clone().text());
    expect((await problemOf(res)).detail).toMatch(/nothing was written/);
    // Rolled back: the note and both counts as they were.
    expect(await getTopic(from.id)).toMatchObject({ noteCount: 1 });
    expect(await getTopic(to.id)).toMatchObject({ noteCount: 0 });
    expect(await (await call(`/notes/${note.id}`)).json()).toMatchObject({ topicId: from.id });
    const logged = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain('"msg":"transaction timed out and was rolled back"');
  });
});

describe('a transaction behind withPrisma("statement") (developer mistake)', () => {
  it("is refused by Prisma over HTTP (P2036) and answered 500 with a clear developer message in the logs", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = new OpenAPIHono<AppEnv>()
      .post("/", withPrisma("statement"), async (c) => {
        await c.var.prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`);
        return c.text("unreachable");
      })
      .onError(onError);
    const ctx = createExecutionContext();
    // Without Hyperdrive (which runs transactions fine), so the statement goes over Neon's HTTP.
    const res = await broken.fetch(
      new Request("http://worker/", { method: "POST" }),
      { ...env, HYPERDRIVE: undefined },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expectNoLeaks(text);
    expect(text).not.toContain("P2036");
    expect((await problemOf(res)).detail).toBe("The server could not complete the request.");
    const logged = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain('Mount withPrisma(\\"transaction\\") on this route.');
  });
});

describe("client errors never leak internals", () => {
  it("409/404/400 bodies hold no SQL, stack or connection string", async () => {
    const topic = await createTopic();
    const note = await createNote(topic.id);
    const responses = await Promise.all([
      call("/notes", { method: "POST", json: { text: note.text, topicId: topic.id } }),
      call(`/notes/${crypto.randomUUID()}`),
      call("/notes", { method: "POST", json: { text: uniqueText(), topicId: crypto.randomUUID() } }),
      call("/notes", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([409, 404, 422, 400]);
    for (const res of responses) expectNoLeaks(await res.text());
  });
});

// Found by the reliability fuzzer: Postgres text cannot hold U+0000, and its error (22021 over
// HTTP, wrapped in P2039 or a raw query's failure over the other adapters) was a 500.
describe("a NUL character (U+0000) in a text value → 400, nothing written", () => {
  it.each([
    ["one statement", {}],
    ["in the idempotency transaction", { "Idempotency-Key": crypto.randomUUID() }],
  ] as const)("%s", async (_how, headers) => {
    const topic = await createTopic();
    const res = await call("/notes", { method: "POST", headers, json: { text: "a\u0000b", topicId: topic.id } });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ type: "urn:problem-type:invalid-character" });
    expect(await getTopic(topic.id)).toMatchObject({ noteCount: 0 });
  });
});

describe("misconfiguration is a 500 that names the binding, not an outage", () => {
  it("a wrong password", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    const overrides: Partial<Bindings> = onHyperdrive
      ? hyperdriveWithPassword("wrong")
      : { DATABASE_URL: withPassword((env as Bindings).DATABASE_URL, "wrong") };
    for (const path of ["/notes", "/health"]) {
      const res = await callWith(overrides, path);
      expect(res.status, path).toBe(500);
      expect(res.headers.get("Retry-After")).toBeNull();
      expect((await problemOf(res)).detail).toBe("The server is misconfigured.");
    }
    const logged = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain(`${onHyperdrive ? "HYPERDRIVE" : "DATABASE_URL"}: the database rejected the credentials`);
    expect(logged).not.toContain("wrong@");
  });

  it.skipIf(onHyperdrive)("a DATABASE_URL that is not a connection string, or none", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const DATABASE_URL of ["not a url", undefined]) {
      const res = await callWith({ DATABASE_URL } as Partial<Bindings>, "/notes");
      expect(res.status).toBe(500);
      await problemOf(res);
    }
    const logged = logs.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain("DATABASE_URL is not a connection string");
    expect(logged).toContain("DATABASE_URL is not set");
  });
});

describe("the error handler", () => {
  it("keeps the headers of an HTTPException's response (WWW-Authenticate) and logs every 5xx", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    const probe = new OpenAPIHono<AppEnv>()
      .get("/401", () => {
        throw new HTTPException(401, {
          res: new Response(null, { headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } }),
        });
      })
      .get("/502", () => {
        throw new HTTPException(502, { message: "upstream said no" });
      })
      .onError(onError);
    const ctx = createExecutionContext();
    const unauthorized = await probe.fetch(new Request("http://worker/401"), env, ctx);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    await problemOf(unauthorized);
    const bad = await probe.fetch(new Request("http://worker/502"), env, ctx);
    expect(bad.status).toBe(502);
    await waitOnExecutionContext(ctx);
    expect(logs.mock.calls.map((c) => String(c[0])).join("\n")).toContain('"status":502');
  });

  it("a unique violation and a foreign-key violation name the field", async () => {
    const topic = await createTopic();
    const taken = await createNote(topic.id);
    const duplicate = await call("/notes", { method: "POST", json: { text: taken.text, topicId: topic.id } });
    expect(duplicate.status).toBe(409);
    expect((await problemOf(duplicate)).errors).toEqual([{ in: "json", pointer: "/text", detail: "must be unique" }]);
    const orphan = await call("/notes", { method: "POST", json: { text: uniqueText(), topicId: crypto.randomUUID() } });
    expect(orphan.status).toBe(422);
    expect((await problemOf(orphan)).errors).toEqual([{ in: "json", pointer: "/topicId", detail: "no such record" }]);
  });
});
