import { AppError } from "@lifeline/core";

import type { Context } from "../context";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import type { RateLimitResult } from "../rate-limit/rate-limit-result";
import { tooManyRequests } from "../rate-limit/too-many-requests";

/**
 * Runs a fail-closed check and applies its answer: RateLimit-* headers always (Retry-After
 * too when refused), then TOO_MANY_REQUESTS when over the limit. A SERVICE_UNAVAILABLE from
 * the check is logged here, since the transport only logs 500s, and then passed on.
 */
export async function enforceRateLimit(
  ctx: Context,
  limiter: string,
  check: () => Promise<RateLimitResult>,
): Promise<void> {
  const result = await logIfUnavailable(ctx, limiter, check);
  if (!ctx.deps.rateLimits.enabled) return;
  for (const [name, value] of Object.entries(rateLimitHeaders(result))) ctx.setHeader(name, value);
  if (!result.allowed) {
    ctx.logger.warn({ limiter, ip: ctx.ip }, "rate limit reached");
    throw tooManyRequests(result.resetSeconds);
  }
}

/** Awaits a Redis-backed check, logging the cause if it failed closed. */
export async function logIfUnavailable<T>(
  ctx: Context,
  limiter: string,
  check: () => Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof AppError && error.code === "SERVICE_UNAVAILABLE") {
      ctx.logger.error({ err: error.cause, limiter }, "rate limiter unavailable: request refused");
    }
    throw error;
  }
}
