import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ProblemError } from "../errors/problem";
import { settingsOf } from "../settings";

/** 413 for bodies over MAX_BODY_BYTES (default 512 KiB), checked before anything reads the body. */
export const limitBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { maxBodyBytes } = settingsOf(c.env);
    return bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new ProblemError(413, `The request body is larger than ${maxBodyBytes} bytes.`);
      },
    })(c, next);
  });
