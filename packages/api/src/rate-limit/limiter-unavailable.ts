import { AppError } from "@lifeline/core";

/** What a fail-closed check throws when Redis errors or does not answer in time. */
export function limiterUnavailable(cause: unknown): AppError {
  return new AppError({
    code: "SERVICE_UNAVAILABLE",
    reason: "retry_later",
    message: "Rate limiter unavailable; try again shortly",
    retryAfterSeconds: 5,
    cause,
  });
}
