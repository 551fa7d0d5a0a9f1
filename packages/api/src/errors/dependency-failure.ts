import { isDatabaseUnavailable } from "@lifeline/db";

import { RedisTimeoutError } from "../rate-limit/with-timeout";

// ioredis raises plain Errors for a connection it cannot use; these are their words (and
// Redis's own replies for a server that cannot take writes right now).
const REDIS_UNAVAILABLE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|Reached the max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|^LOADING |^READONLY |^OOM |^MASTERDOWN /;

/** True when an error means Redis is down or unreachable, not a bug. */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisTimeoutError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === "MaxRetriesPerRequestError") return true;
  const code = (error as { code?: unknown }).code;
  return (
    REDIS_UNAVAILABLE.test(error.message) ||
    (typeof code === "string" && REDIS_UNAVAILABLE.test(code))
  );
}

/**
 * True when a request failed because a service it needs (Postgres, Redis) could not be
 * asked: the answer is 503 "try again", never a 500 and never a 401, and the cause is
 * logged, since it is an outage someone must see.
 */
export function isDependencyFailure(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isRedisUnavailable(error);
}
