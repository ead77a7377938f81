// Every way the database can be out of reach, caused for real at the socket (a port nobody
// listens on, a name that does not resolve, TLS refused) or in the credentials, against the
// Worker as wrangler serves it: the runtime's own 500 page (an uncaught exception) is exactly
// what these would show if any path let one escape. Outages are 503 + Retry-After;
// misconfigurations are 500s. Never a stack trace or a connection string. On the machinery's
// fixture (test/worker/fixture, the Worker's own frame and middleware): a statement read, a
// one-statement write, an interactive transaction, and /health.
import { type LocalStack, serveWorker, startLocalStack } from "@starter/local-neon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_WORKER } from "./fixture";

const TOKEN = `failures-${crypto.randomUUID()}`;
const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

interface Failure {
  name: string;
  /** 503: an outage (retry helps); 500: a binding that can never work. */
  status: 503 | 500;
  bindings?: (stack: LocalStack) => Record<string, string>;
  hyperdriveUrl?: (stack: LocalStack) => string;
}

const NEON: Failure[] = [
  { name: "a closed port", status: 503, bindings: () => ({ NEON_LOCAL_PROXY: "127.0.0.1:9" }) },
  {
    name: "a host that does not resolve (the .dev.vars.example placeholder)",
    status: 503,
    bindings: () => ({
      NEON_LOCAL_PROXY: "",
      DATABASE_URL:
        "postgresql://USER:PASSWORD@ep-example-123456-pooler.us-east-2.aws.neon.invalid/neondb?sslmode=require",
    }),
  },
  {
    name: "a wrong password",
    status: 500,
    bindings: (s) => ({ DATABASE_URL: withPassword(s.workerBindings.DATABASE_URL, "wrong") }),
  },
  { name: "a DATABASE_URL that is not a URL", status: 500, bindings: () => ({ DATABASE_URL: "not a url" }) },
];
const HYPERDRIVE: Failure[] = [
  { name: "a closed port", status: 503, hyperdriveUrl: () => "postgresql://u:p@127.0.0.1:9/db" },
  {
    name: "a host that does not resolve",
    status: 503,
    hyperdriveUrl: () => "postgresql://u:p@db.example.invalid:5432/db",
  },
  { name: "TLS refused by the server", status: 503, hyperdriveUrl: (s) => `${s.hyperdriveUrl}?sslmode=require` },
  { name: "a wrong password", status: 500, hyperdriveUrl: (s) => withPassword(s.hyperdriveUrl, "wrong") },
];

const SOME_ID = "0b3c8f4e-1c9a-4a51-9e0b-7f8a1d2c3e4f";
const REQUESTS = [
  ["GET", "/notes"],
  ["POST", "/notes", { text: "t", topicId: SOME_ID }],
  ["POST", `/notes/${SOME_ID}/move`, { topicId: SOME_ID }],
  ["GET", "/health"],
  ["GET", "/health?need=statement"],
] as const;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({});
}, 120_000);
afterAll(() => stack?.stop());

describe.each([
  ["Neon's driver (WebSocket and HTTP)", NEON],
  ["Hyperdrive", HYPERDRIVE],
] as const)("over %s", (_path, failures) => {
  it.each(failures)(
    "$name: a problem, $status, on every route",
    async (failure) => {
      const worker = await serveWorker(stack, {
        entrypoint: FIXTURE_WORKER,
        bindings: { API_TOKEN: TOKEN, DB_CONNECT_TIMEOUT_MS: "3000", ...failure.bindings?.(stack) },
        ...(failure.hyperdriveUrl ? { hyperdrive: true, hyperdriveUrl: failure.hyperdriveUrl(stack) } : {}),
      });
      try {
        for (const [method, path, json] of REQUESTS) {
          const res = await fetch(`${worker.origin}${path}`, {
            method,
            headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
            body: json ? JSON.stringify(json) : undefined,
          });
          const text = await res.text();
          const seen = { route: `${method} ${path}`, status: res.status, retryAfter: res.headers.get("Retry-After") };
          expect(seen).toEqual({ ...seen, status: failure.status, retryAfter: failure.status === 503 ? "5" : null });
          // /health answers its own JSON when the database is down; everything else is a problem.
          const healthDown = path.startsWith("/health") && res.status === 503;
          expect(res.headers.get("Content-Type"), text).toMatch(
            healthDown ? /^application\/json/ : /^application\/problem\+json/,
          );
          expect(text).not.toMatch(/<!DOCTYPE|postgres(ql)?:\/\/|\bat .+:\d+:\d+|internal error; reference/i);
        }
      } finally {
        await worker.dispose();
      }
    },
    60_000,
  );
});
