import { middleware } from "../trpc";
import { enforceRateLimit } from "./enforce-rate-limit";

/**
 * Register, login and every password check: limited per client (RATE_LIMIT_AUTH_*), and for
 * a signed-in caller per user too, so one account cannot be probed from many addresses
 * through changePassword. Fails closed. Place it after `.input()`, so a malformed request
 * is a BAD_REQUEST and spends nothing.
 */
export const credentialRateLimit = middleware(async ({ ctx, next }) => {
  const { rateLimits } = ctx.deps;
  await enforceRateLimit(ctx, "credentials", () => rateLimits.checkCredentials(ctx.client));
  if (ctx.auth) {
    const userId = ctx.auth.user.id;
    await enforceRateLimit(ctx, "credentials-user", () => rateLimits.checkUserCredentials(userId));
  }
  return next();
});
