import type { RateLimitResult } from "./rate-limit-result";

/** Retry-After must be a whole number of seconds, and 0 would invite an instant retry. */
export function retryAfterSeconds(resetSeconds: number): number {
  return Math.max(1, Math.ceil(resetSeconds));
}

/**
 * The response headers for a checked request (IETF draft "RateLimit header fields" names,
 * as most proxies and clients read them), plus Retry-After when it was refused. Shared by
 * the tRPC middlewares and the server's global hook so both speak the same way.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(Math.ceil(result.resetSeconds)),
  };
  if (!result.allowed) headers["Retry-After"] = String(retryAfterSeconds(result.resetSeconds));
  return headers;
}
