import { AppError } from "@lifeline/core";

/** What a fail-closed check throws when Redis errors or does not answer in time. */
export function limiterUnavailable(cause: unknown): AppError {
  return new AppError(
    "SERVICE_UNAVAILABLE",
    "Rate limiter unavailable; try again shortly",
    undefined,
    {
      cause,
    },
  );
}
