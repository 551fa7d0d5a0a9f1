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
  return next({ ctx: { ...ctx, auth: signedIn(ctx) } });
});

/**
 * The caller's live session, or the reason there is none (see protectedProcedure). Also what
 * plain HTTP routes (uploads, byte streams) use, so both paths make exactly the same checks.
 */
export function signedIn(ctx: Context): NonNullable<Context["auth"]> {
  if (ctx.authError !== null) throw ctx.authError;
  if (!ctx.auth) throw ctx.authFailure ?? signInRequired();
  return ctx.auth;
}

/**
 * protectedProcedure for admins only, in one middleware: no session is 401 (or 503 when it
 * cannot be checked), a signed-in non-admin 403. The role comes with the session check
 * (authenticate reads it in the same query), so a revoked role counts at the next request.
 * Runs before input validation, so a non-admin learns nothing from 400s.
 */
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  const auth = signedIn(ctx);
  if (auth.user.role !== "admin") {
    throw new AppError({ code: "FORBIDDEN", message: "This needs an administrator" });
  }
  return next({ ctx: { ...ctx, auth } });
});
