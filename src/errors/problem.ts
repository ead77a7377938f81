import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One field-level failure inside a validation problem (`errors` member). */
export interface FieldError {
  /** Where the value came from: json (body), query, param, header. */
  in: string;
  /** JSON Pointer into that part of the request, e.g. "/email". "" = the whole part. */
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem details object. */
export interface Problem {
  type: string;
  title: string;
  status: ContentfulStatusCode;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/**
 * Thrown anywhere (route, middleware, inside a transaction) to end the request with a problem.
 * Inside `$transaction` it also rolls the transaction back.
 */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    detail: string,
    options: { title?: string; type?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "ProblemError";
    this.problem = {
      type: options.type ?? "about:blank",
      title: options.title ?? statusTitle(status),
      status,
      detail,
      ...(options.errors ? { errors: options.errors } : {}),
    };
    this.headers = options.headers ?? {};
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Renders a problem as the response body, with the request path as `instance`. */
export function problemResponse(c: Context, problem: Problem, headers: Record<string, string> = {}): Response {
  const body: Problem = { ...problem, instance: problem.instance ?? c.req.path };
  return c.body(JSON.stringify(body), problem.status, { ...headers, "Content-Type": PROBLEM_CONTENT_TYPE });
}

const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? "Server Error" : "Client Error");
}
