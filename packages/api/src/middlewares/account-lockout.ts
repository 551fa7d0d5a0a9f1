import { AppError, enqueueEmail, normaliseEmail, writeAuditEvent } from "@lifeline/core";
import type { TRPCError } from "@trpc/server";

import type { Context } from "../context";
import { emailKey } from "../rate-limit/email-key";
import type { Attempt, FailureOutcome } from "../rate-limit/login-lockout";
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
      if (outcome.locked) warnOwner(ctx, attempt.email, outcome);
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

/** The failed sign-ins email goes out at most once per account in this many seconds. */
export const FAILED_SIGN_INS_NOTICE_SECONDS = 3600;

/**
 * A failure just locked someone out of this account (one client, or everyone): tell the
 * owner, at most once an hour. Not awaited: the refusal goes out at once and takes the same
 * time whether or not the account exists (only then is there anyone to write to).
 */
function warnOwner(ctx: Context, email: string, outcome: FailureOutcome): void {
  const { db, jobs, rateLimits } = ctx.deps;
  const notify = async () => {
    const first = await rateLimits.firstInWindow(
      "failed-sign-ins-email",
      emailKey(email),
      FAILED_SIGN_INS_NOTICE_SECONDS,
    );
    if (!first) return;
    const user = await db.user.findUnique({
      where: { email: normaliseEmail(email) },
      select: { id: true },
    });
    if (!user) return;
    await enqueueEmail(jobs, { template: "failed-sign-ins", userId: user.id });
    ctx.logger.info({ userId: user.id, scope: outcome.scope }, "failed sign-ins email enqueued");
  };
  notify().catch((error: unknown) => {
    ctx.logger.error({ err: error }, "failed sign-ins email could not be enqueued");
  });
}
