import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ProblemError } from "../errors/problem";

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** 413 for bodies over MAX_BODY_BYTES (default 64 KiB), checked before anything reads the body. */
export const limitBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const maxSize = Number(c.env.MAX_BODY_BYTES) || DEFAULT_MAX_BODY_BYTES;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new ProblemError(413, `The request body is larger than ${maxSize} bytes.`);
      },
    })(c, next);
  });
