import type { Hook } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { type FieldError, ProblemError } from "./problem";

/**
 * OpenAPIHono's defaultHook: every validation failure (path, query, header, body) becomes one
 * 400 problem listing each bad field. Unknown fields are rejected (schemas are strict) and named.
 */
// One hook for every route, so its input, path and response types cannot be the route's own.
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input and response type
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const errors = fieldErrors(result.error as ZodError, result.target);
  const list = errors.map((e) => `${e.in}${e.pointer || ""}`).join(", ");
  throw new ProblemError(400, `The request is invalid: ${list}.`, {
    type: "urn:problem-type:validation-error",
    title: "Validation failed",
    errors,
  });
};

function fieldErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = pointer(issue.path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        in: target,
        pointer: `${base}/${escapeSegment(key)}`,
        detail: "unknown field",
      }));
    }
    return [{ in: target, pointer: base, detail: issue.message }];
  });
}

const pointer = (path: readonly PropertyKey[]) => path.map((p) => `/${escapeSegment(String(p))}`).join("");
/** JSON Pointer (RFC 6901) escaping of one path segment. */
const escapeSegment = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");
