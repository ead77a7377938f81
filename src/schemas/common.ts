import { z } from "@hono/zod-openapi";
import { decodeCursor } from "../lib/cursor";

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:problem-type:validation-error" }),
    title: z.string().openapi({ example: "Validation failed" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: "The request is invalid: json/email." }),
    instance: z.string().optional().openapi({ example: "/users" }),
    errors: z
      .array(z.object({ in: z.string(), pointer: z.string(), detail: z.string() }))
      .optional()
      .openapi({ description: "Validation failures, one per field" }),
  })
  .openapi("Problem", { description: "RFC 9457 problem details" });

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** The error responses a route can produce, for the OpenAPI document. */
export const problems = {
  400: problem("Invalid path, query or body (unknown fields included), or malformed JSON"),
  401: problem("Missing or invalid bearer token (WWW-Authenticate says why)"),
  403: problem("Only an admin may do this"),
  404: problem("No such record"),
  409: problem("Conflicts with existing data"),
  413: problem("Body larger than MAX_BODY_BYTES"),
  422: problem("Refers to a record that does not exist, or reuses an Idempotency-Key with another body"),
  429: problem("Too many writes from this user; retry after Retry-After seconds"),
  503: problem("The database or the identity provider's keys are unreachable; retry after Retry-After seconds"),
} as const;

export const IdParamSchema = z.strictObject({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, example: "0b3c8f4e-1c9a-4a51-9e0b-7f8a1d2c3e4f" }),
});

/** Limit and cursor, shared by every list. Strict: an unknown query parameter is a 400. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Page size, 1–100" }),
  cursor: z
    .string()
    .max(200)
    .refine((s) => decodeCursor(s) !== undefined, "not a cursor issued by this API")
    .optional()
    .openapi({ description: "`nextCursor` from the previous page" }),
};

/** 1–255 visible ASCII characters: what the header schema documents and the middleware checks. */
export const IDEMPOTENCY_KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export const IdempotencyHeaderSchema = z.object({
  "idempotency-key": z
    .string()
    .regex(IDEMPOTENCY_KEY_FORMAT, "1–255 visible ASCII characters")
    .optional()
    .openapi({
      description:
        "Makes the write exactly-once: a retry with the same key (same caller, route and body) gets the " +
        "first response again, with Idempotency-Replayed: true, and writes nothing new. Kept for 24 hours.",
    }),
});

/** OpenAPI `content` for a JSON response or body. */
export const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });
/** A required JSON request body. */
export const body = <T>(schema: T) => ({ body: { ...json(schema), required: true } });
