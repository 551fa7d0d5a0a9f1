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
