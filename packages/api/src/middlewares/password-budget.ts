import { AppError } from "@lifeline/core";

import { middleware } from "../trpc";

/** Calls that hash or check a password allowed in one HTTP request. */
export const PASSWORD_CALLS_PER_REQUEST = 1;

/**
 * Bounds what one request can cost in bcrypt: a tRPC batch shares one context, so without
 * this a single POST could carry ten logins (or twenty password guesses) and be counted
 * once. With it, a request pays for at most one password procedure (at most two hashes:
 * changePassword checks the old password and hashes the new one).
 */
export const passwordBudget = middleware(({ ctx, next }) => {
  if (!ctx.budget) return next();
  ctx.budget.passwordCalls += 1;
  if (ctx.budget.passwordCalls > PASSWORD_CALLS_PER_REQUEST) {
    throw new AppError({
      code: "BAD_REQUEST",
      message:
        "A request may hold only one call that checks or sets a password; send the others separately",
    });
  }
  return next();
});
