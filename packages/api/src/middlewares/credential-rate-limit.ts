import { middleware } from "../trpc";
import { enforceRateLimit } from "./enforce-rate-limit";
import { inputEmail } from "./input-email";

/**
 * Register and login: limited per client IP and per email (RATE_LIMIT_AUTH_*). Fails closed.
 * Place it after `.input()` so it reads the validated email.
 */
export const credentialRateLimit = middleware(async ({ ctx, input, next }) => {
  const email = inputEmail(input);
  await enforceRateLimit(ctx, "credentials", () =>
    ctx.deps.rateLimits.checkCredentials({ ip: ctx.ip, email }),
  );
  return next();
});
