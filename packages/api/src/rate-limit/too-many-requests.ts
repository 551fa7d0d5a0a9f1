import { AppError } from "@lifeline/core";

import { retryAfterSeconds } from "./rate-limit-headers";

/** The refusal for a rate limit or a lockout; the same words for both, on purpose. */
export function tooManyRequests(waitSeconds: number): AppError {
  const seconds = retryAfterSeconds(waitSeconds);
  return new AppError({
    code: "TOO_MANY_REQUESTS",
    reason: "retry_later",
    message: `Too many attempts; retry in ${seconds} second${seconds === 1 ? "" : "s"}`,
    retryAfterSeconds: seconds,
  });
}
