import { AppError } from "@lifeline/core";
import type { TRPCError } from "@trpc/server";

import { tooManyRequests } from "../rate-limit/too-many-requests";
import { middleware } from "../trpc";
import { logIfUnavailable } from "./enforce-rate-limit";
import { inputEmail } from "./input-email";

// Domain errors reach here still wrapped (the outer appErrors middleware converts them).
const isUnauthorized = (error: TRPCError) =>
  error.code === "UNAUTHORIZED" ||
  (error.cause instanceof AppError && error.cause.code === "UNAUTHORIZED");

/**
 * Per-account lockout around the login procedure, and only there: password reset must
 * never be blocked by it (or anyone could keep an owner out of their account by failing
 * on purpose), so it is not used on any reset procedure.
 *
 * A locked account is refused before the password is looked at, so a guess made while
 * locked learns nothing. Checking fails closed; recording afterwards does not: the answer
 * (wrong password, or signed in) stands even if Redis fails just then, and the credential
 * rate limit in front, which fails closed, still bounds the guesses.
 */
export const loginLockout = middleware(async ({ ctx, input, next }) => {
  const email = inputEmail(input);
  const { lockout } = ctx.deps.rateLimits;
  const status = await logIfUnavailable(ctx, "login-lockout", () => lockout.check(email));
  if (status.locked) {
    ctx.setHeader("Retry-After", String(status.retryAfterSeconds));
    ctx.logger.warn({ ip: ctx.ip }, "login refused: account locked");
    throw tooManyRequests(status.retryAfterSeconds);
  }

  const result = await next();
  try {
    if (result.ok) await lockout.clear(email);
    else if (isUnauthorized(result.error)) await lockout.recordFailure(email);
  } catch (error) {
    ctx.logger.error({ err: error }, "login lockout could not be updated");
  }
  return result;
});
