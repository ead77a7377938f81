// fast-check arbitraries for whole HTTP requests against the API: known and random paths,
// methods, headers and bodies, with huge, deeply nested, unicode and SQL-looking input.
import fc from "fast-check";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Real ids from the stack, so some requests get past validation and reach the database. */
export interface FuzzContext {
  token: string;
  userId: string;
  postId: string;
}

const SQL_LIKE = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1; SELECT pg_sleep(10)",
  '" OR ""="',
  "%",
  "_",
  "%_%",
  "\\",
  "' UNION SELECT email FROM users --",
  "$1",
  "::uuid",
  "NULL",
  "null",
  "undefined",
  "__proto__",
  "constructor",
];

/** Strings that have broken parsers and databases before. */
const nastyString = fc.oneof(
  fc.constantFrom(...SQL_LIKE),
  fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`), // Postgres text cannot hold NUL
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }), // any code point, lone surrogates and NUL included
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "\uffff", "😀".repeat(50), "\u202e", "ǅ", "ß"),
  fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n)),
);

const jsonScalar = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** Objects with the API's field names (and a stray one), so validation passes now and then. */
const apiShapedBody = fc
  .record(
    {
      email: fc.oneof(fc.emailAddress(), nastyString),
      name: fc.oneof(nastyString, fc.constant(null)),
      role: fc.oneof(fc.constantFrom("USER", "ADMIN"), jsonScalar),
      title: fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), nastyString),
      content: fc.oneof(fc.string({ maxLength: 500 }), nastyString),
      status: fc.oneof(fc.constantFrom("DRAFT", "PUBLISHED"), jsonScalar),
      authorId: fc.oneof(fc.uuid(), nastyString, jsonScalar),
      extra: jsonScalar,
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** [[[…]]] or {"a":{"a":…}} up to a depth the body limit still lets through. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? "[".repeat(depth) + "]".repeat(depth) : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

const body = fc.oneof(
  { weight: 4, arbitrary: apiShapedBody },
  { weight: 2, arbitrary: fc.json({ maxDepth: 6 }) },
  { weight: 1, arbitrary: deeplyNested },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) }, // not JSON at all
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60_000, max: 80_000 }).map((n) => JSON.stringify({ title: "t".repeat(n) })),
  },
);

const segment = (ctx: FuzzContext) =>
  fc.oneof(
    fc.constantFrom(ctx.userId, ctx.postId, "00000000-0000-0000-0000-000000000000", "..", ".", ""),
    fc.uuid(),
    nastyString.map((s) => encodeURIComponent(s.slice(0, 300).toWellFormed())),
    fc.constantFrom("%00", "%ZZ", "%", "%2e%2e", "%2F"),
  );

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom("limit", "cursor", "q", "authorId", "status", "role", "transport"),
        fc.string({ maxLength: 10 }),
      ),
      fc.oneof(
        fc.constantFrom("0", "1", "100", "101", "-1", "1e3", "NaN", "PUBLISHED", "http"),
        nastyString.map((s) => s.slice(0, 300)),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs)}` : ""));

const path = (ctx: FuzzContext) =>
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom("/users", "/posts", "/health", "/openapi.json", "/docs", "/"),
        segment(ctx).map((s) => `/users/${s}`),
        segment(ctx).map((s) => `/posts/${s}`),
        segment(ctx).map((s) => `/posts/${s}/move`),
        fc.array(segment(ctx), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`),
      ),
      queryString,
    )
    .map(([p, q]) => p + q);

// Header values a client can send: visible ASCII and spaces (fetch refuses CR, LF and NUL).
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

const headers = (ctx: FuzzContext) =>
  fc
    .record(
      {
        authorization: fc.oneof(
          fc.constant(`Bearer ${ctx.token}`),
          headerValue.map((v) => `Bearer ${v}`),
          headerValue,
        ),
        "content-type": fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data",
          "application/problem+json",
        ),
        "idempotency-key": headerValue,
        origin: fc.constantFrom("https://evil.example", "null", "https://app.example.test"),
        accept: headerValue,
      },
      { requiredKeys: [] },
    )
    .chain((known) => fc.dictionary(headerName, headerValue, { maxKeys: 3 }).map((extra) => ({ ...extra, ...known })));

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"] as const;

/** Anything at all: random method, path, headers and body. */
const anyRequest = (ctx: FuzzContext) =>
  fc.record({
    method: fc.constantFrom(...METHODS),
    path: path(ctx),
    headers: headers(ctx),
    body: fc.option(body, { nil: undefined }),
  });

// Bodies for one route: mostly valid values with a nasty one here and there, so requests get
// past validation and the fuzzed strings reach Postgres.
const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: other });
const text = (max: number) => mostly(fc.string({ unit: "binary", minLength: 1, maxLength: max }), nastyString);
const userBody = fc.record(
  {
    email: mostly(fc.emailAddress(), nastyString),
    name: text(200),
    role: mostly(fc.constantFrom("USER", "ADMIN"), jsonScalar),
  },
  { requiredKeys: ["email"] },
);
const postBody = (ctx: FuzzContext) =>
  fc.record(
    {
      title: text(200),
      content: text(2_000),
      status: mostly(fc.constantFrom("DRAFT", "PUBLISHED"), jsonScalar),
      authorId: mostly(fc.constant(ctx.userId), fc.oneof(fc.uuid(), nastyString)),
    },
    { requiredKeys: ["title", "authorId"] },
  );
const patchBody = (ctx: FuzzContext) =>
  fc.oneof(userBody, postBody(ctx)).map((b) => ({ ...b, email: undefined, authorId: undefined }));

/** A real route with the token and a JSON content type. */
const routeRequest = (ctx: FuzzContext) =>
  fc
    .tuple(
      fc.oneof(
        fc.tuple(fc.constant("GET"), fc.constant("/users"), fc.constant(undefined)),
        fc.tuple(fc.constant("GET"), fc.constant("/posts"), fc.constant(undefined)),
        fc.tuple(fc.constant("POST"), fc.constant("/users"), userBody),
        fc.tuple(fc.constant("POST"), fc.constant("/posts"), postBody(ctx)),
        fc.tuple(
          fc.constant("GET"),
          segment(ctx).map((id) => `/users/${id}`),
          fc.constant(undefined),
        ),
        fc.tuple(
          fc.constant("PATCH"),
          segment(ctx).map((id) => `/users/${id}`),
          patchBody(ctx),
        ),
        fc.tuple(
          fc.constant("PATCH"),
          segment(ctx).map((id) => `/posts/${id}`),
          patchBody(ctx),
        ),
        fc.tuple(
          fc.constant("POST"),
          segment(ctx).map((id) => `/posts/${id}/move`),
          fc.record({ authorId: mostly(fc.uuid(), nastyString) }),
        ),
        fc.tuple(
          fc.constant("DELETE"),
          segment(ctx).map((id) => `/posts/${id}`),
          fc.constant(undefined),
        ),
      ),
      queryString,
      fc.option(headerValue, { nil: undefined }),
    )
    .map(
      ([[method, route, json], query, idempotencyKey]): FuzzRequest => ({
        method,
        path: route + query,
        headers: {
          authorization: `Bearer ${ctx.token}`,
          "content-type": "application/json",
          ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
      }),
    );

export const fuzzRequest = (ctx: FuzzContext): fc.Arbitrary<FuzzRequest> =>
  fc
    .oneof(anyRequest(ctx), routeRequest(ctx))
    .map((r) => (r.method === "GET" || r.method === "HEAD" ? { ...r, body: undefined } : r));

/** `count` requests from `seed`: the same seed always gives the same requests. */
export function sampleRequests(ctx: FuzzContext, seed: number, count: number): FuzzRequest[] {
  return fc.sample(fuzzRequest(ctx), { seed, numRuns: count });
}
