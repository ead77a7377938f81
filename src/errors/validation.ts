import type { Hook } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { type FieldError, ProblemError } from "./problem";

/**
 * OpenAPIHono's defaultHook: every validation failure (path, query, header, body) becomes one
 * 400 problem listing each bad field. Unknown fields are rejected (schemas are strict) and named.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
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
      return issue.keys.map((key) => ({ in: target, pointer: `${base}/${escape(key)}`, detail: "unknown field" }));
    }
    return [{ in: target, pointer: base, detail: issue.message }];
  });
}

const pointer = (path: readonly PropertyKey[]) => path.map((p) => `/${escape(String(p))}`).join("");
const escape = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");
