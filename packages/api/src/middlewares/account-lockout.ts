import { AppError, normaliseEmail, writeAuditEvent } from "@lifeline/core";
import type { TRPCError } from "@trpc/server";

import type { Context } from "../context";
import type { Attempt } from "../rate-limit/login-lockout";
import { tooManyRequests } from "../rate-limit/too-many-requests";
import { middleware } from "../trpc";
import { inputEmail } from "./input-email";

// Domain errors reach here still wrapped (the outer appErrors middleware converts them).
const isWrongPassword = (error: TRPCError) =>
  error.cause instanceof AppError && error.cause.reason === "credentials_invalid";

/** The account a password procedure is about: the login's email, or the signed-in user's. */
function attemptOf(ctx: Context, input: unknown): Attempt {
  return { email: ctx.auth ? ctx.auth.user.email : inputEmail(input), client: ctx.client };
}

/**
 * The lockout around every procedure that checks a password (login, changePassword), and
 * only those: password reset must never be blocked by it. See rate-limit/login-lockout.ts
 * for what is counted and why.
 *
 * A locked attempt is refused before the password is looked at, so a guess made while
 * locked learns nothing. Checking fails closed; recording afterwards does not: the answer
 * (wrong password, or signed in) stands even if Redis fails just then, and the credential
 * rate limit in front, which fails closed, still bounds the guesses.
 */
export const accountLockout = middleware(async ({ ctx, input, next }) => {
  const attempt = attemptOf(ctx, input);
  const { lockout } = ctx.deps.rateLimits;
  const status = await lockout.check(attempt);
  if (status.locked) {
    ctx.logger.warn({ client: ctx.client, scope: status.scope }, "password check refused: locked");
    throw tooManyRequests(status.retryAfterSeconds);
  }

  const result = await next();
  try {
    if (result.ok) await lockout.clear(attempt);
    else if (isWrongPassword(result.error)) {
      const outcome = await lockout.recordFailure(attempt);
      if (outcome.accountLockedNow) await auditAccountLock(ctx, attempt.email);
    }
  } catch (error) {
    ctx.logger.error({ err: error }, "login lockout could not be updated");
  }
  return result;
});

/** Records, once per lock, that guesses from many clients locked an account for everyone. */
async function auditAccountLock(ctx: Context, email: string): Promise<void> {
  const user = await ctx.deps.db.user.findUnique({
    where: { email: normaliseEmail(email) },
    select: { id: true },
  });
  ctx.logger.warn({ userId: user?.id ?? null }, "account locked: too many failed sign-ins");
  await writeAuditEvent(ctx.deps.db, {
    type: "account_locked",
    userId: user?.id ?? null,
    ip: ctx.ip,
    data: { scope: "account" },
  });
}
