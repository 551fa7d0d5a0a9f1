import { middleware } from "../trpc";
import { enforceRateLimit } from "./enforce-rate-limit";

/**
 * Token refresh: limited per client IP with its own, looser budget (RATE_LIMIT_REFRESH_*),
 * since well-behaved clients refresh routinely. Fails closed.
 */
export const refreshRateLimit = middleware(async ({ ctx, next }) => {
  await enforceRateLimit(ctx, "refresh", () => ctx.deps.rateLimits.checkRefresh(ctx.client));
  return next();
});
