import { AppError } from "@lifeline/core";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";

import type { Context } from "./context";
import { formatError } from "./errors/format-error";
import { toTRPCError } from "./errors/to-trpc-error";

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

/** Domain code throws AppError; here it becomes the matching tRPC error. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

/** Requires a valid access token on a live session; handlers get a non-null `ctx.auth`. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authFailure ?? "Sign in required" });
  }
  return next({ ctx: { ...ctx, auth: ctx.auth } });
});
