import { AppError } from "@lifeline/core";
import { initTRPC } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";

import type { Context } from "./context";
import { formatError } from "./errors/format-error";
import { appErrorFor, toTRPCError } from "./errors/to-trpc-error";

// The one initTRPC in the codebase: it decides which base procedures exist.
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter: ({ shape, error, ctx }) => formatError(shape, error, ctx?.requestId ?? null),
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every failure leaves a procedure through here: domain AppErrors become the matching tRPC
 * error (with Retry-After where they say how long to wait), outages of Postgres or Redis
 * become SERVICE_UNAVAILABLE and Prisma's "not found" NOT_FOUND. Anything else stays an
 * INTERNAL_SERVER_ERROR, which the formatter hides and the transport logs.
 */
const appErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const appError = appErrorFor(result.error.cause);
  if (!appError) return result;
  if (appError.retryAfterSeconds !== undefined) {
    ctx.setHeader("Retry-After", String(appError.retryAfterSeconds));
  }
  throw toTRPCError(appError);
});

export const publicProcedure = t.procedure.use(appErrors);

const signInRequired = () =>
  new AppError({ code: "UNAUTHORIZED", reason: "token_invalid", message: "Sign in required" });

/**
 * Requires a valid access token on a live session; handlers get a non-null `ctx.auth`.
 * If the token could not be checked at all (the database is down), that failure is thrown
 * as it is, so the client hears "try again", not "you are signed out".
 */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.authError !== null) throw ctx.authError;
  if (!ctx.auth) throw ctx.authFailure ?? signInRequired();
  return next({ ctx: { ...ctx, auth: ctx.auth } });
});
