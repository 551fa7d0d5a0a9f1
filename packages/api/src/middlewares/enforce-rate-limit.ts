import type { Context } from "../context";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import type { RateLimitResult } from "../rate-limit/rate-limit-result";
import { tooManyRequests } from "../rate-limit/too-many-requests";

/**
 * Runs a fail-closed check and applies its answer: RateLimit-* headers always (Retry-After
 * too when refused), then TOO_MANY_REQUESTS when over the limit. A SERVICE_UNAVAILABLE from
 * the check passes on as it is; the transport logs it with its cause.
 */
export async function enforceRateLimit(
  ctx: Context,
  limiter: string,
  check: () => Promise<RateLimitResult>,
): Promise<void> {
  const result = await check();
  if (!ctx.deps.rateLimits.enabled) return;
  for (const [name, value] of Object.entries(rateLimitHeaders(result))) ctx.setHeader(name, value);
  if (!result.allowed) {
    ctx.logger.warn({ limiter, client: ctx.client }, "rate limit reached");
    throw tooManyRequests(result.resetSeconds);
  }
}
