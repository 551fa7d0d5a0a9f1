/** The answer of every rate-limit check, whichever limiter gave it. */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Seconds until the window frees up (0 when nothing is counted). */
  resetSeconds: number;
  /** Set when Redis could not be asked and the check let the request through anyway. */
  degraded?: true;
  /** Why a degraded check could not ask Redis, for the caller's log. */
  cause?: unknown;
}

/** The answer when limiting is off or nothing has been counted: everything is allowed. */
export function unlimited(limit: number): RateLimitResult {
  return { allowed: true, limit, remaining: limit, resetSeconds: 0 };
}

/**
 * Combines checks made for one request (e.g. per IP and per email): refused if any refused,
 * and reports the one that binds, so the headers tell the client the truth.
 */
export function mostRestrictive(results: readonly RateLimitResult[]): RateLimitResult {
  const [first, ...rest] = results;
  if (!first) throw new Error("mostRestrictive needs at least one result");
  return rest.reduce((binding, result) => {
    if (binding.allowed !== result.allowed) return binding.allowed ? result : binding;
    // Both refused: the client must wait for the later reset. Both allowed: fewer left binds.
    if (!result.allowed) return result.resetSeconds > binding.resetSeconds ? result : binding;
    return result.remaining < binding.remaining ? result : binding;
  }, first);
}
