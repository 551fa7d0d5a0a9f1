import { Ratelimit } from "@upstash/ratelimit";
import type { Redis as UpstashRedis } from "@upstash/redis";

import type { RateLimitResult } from "./rate-limit-result";
import { withTimeout } from "./with-timeout";

export interface SlidingWindowOptions {
  /** Full key prefix, e.g. `lifeline:ratelimit:global`; keys are `<prefix>:<id>:<window>`. */
  keyPrefix: string;
  max: number;
  windowSeconds: number;
  timeoutMs: number;
}

/** Counts `weight` requests (default 1) for `identifier`; rejects when Redis fails or is too slow. */
export type SlidingWindow = (identifier: string, weight?: number) => Promise<RateLimitResult>;

/**
 * One sliding-window limiter (upstash's: two fixed buckets weighted by elapsed time, one
 * Lua call per check, state only in Redis so every API instance shares it).
 */
export function createSlidingWindow(
  redis: UpstashRedis,
  options: SlidingWindowOptions,
): SlidingWindow {
  const ratelimit = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(options.max, `${options.windowSeconds} s`),
    prefix: options.keyPrefix,
    // Both would call Redis commands the adapter does not implement.
    analytics: false,
    enableProtection: false,
    // No process-local block list: limits are shared by every instance, and a reset in
    // Redis (or a test) must take effect at once.
    ephemeralCache: false,
    // Upstash's own timeout answers "success" (fail open); withTimeout below rejects
    // instead, and rate-limits.ts decides per limiter whether that opens or closes.
    timeout: 0,
  });

  return async (identifier, weight = 1) => {
    const response = await withTimeout(
      ratelimit.limit(identifier, { rate: weight }),
      options.timeoutMs,
      `Rate limiter ${options.keyPrefix}`,
    );
    return {
      allowed: response.success,
      limit: response.limit,
      remaining: response.remaining,
      resetSeconds: Math.max(0, Math.ceil((response.reset - Date.now()) / 1000)),
    };
  };
}
