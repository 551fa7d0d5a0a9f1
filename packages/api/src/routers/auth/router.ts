import * as core from "@lifeline/core";

import type { Context } from "../../context";
import { accountLockout } from "../../middlewares/account-lockout";
import { credentialRateLimit } from "../../middlewares/credential-rate-limit";
import { passwordBudget } from "../../middlewares/password-budget";
import { refreshRateLimit } from "../../middlewares/refresh-rate-limit";
import { protectedProcedure, publicProcedure, router } from "../../trpc";
import {
  ZChangePasswordRequestSchema,
  ZCredentialsRequestSchema,
  ZLoginRequestSchema,
  ZMeResponseSchema,
  ZNoInputSchema,
  ZOkResponseSchema,
  ZRefreshRequestSchema,
  ZRegisterResponseSchema,
  ZRevokedCountResponseSchema,
  ZSessionIdRequestSchema,
  ZSessionsResponseSchema,
  ZTokenPairResponseSchema,
} from "./schemas";

const TAGS = ["auth"];

function authDeps(ctx: Context): core.AuthDeps {
  const { db, accessTokens, passwords, authConfig, now } = ctx.deps;
  return { db, accessTokens, passwords, config: authConfig, ...(now ? { now } : {}) };
}

const meta = (ctx: Context): core.ClientMeta => ({ ip: ctx.ip, userAgent: ctx.userAgent });

export const authRouter = router({
  register: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/register",
        protect: false,
        errorResponses: [400, 409, 503],
        tags: TAGS,
        summary: "Create an account",
      },
    })
    .input(ZCredentialsRequestSchema)
    // After .input(): a malformed request is a BAD_REQUEST and counts against no limit.
    .use(passwordBudget)
    .use(credentialRateLimit)
    .output(ZRegisterResponseSchema)
    .mutation(async ({ ctx, input }) => ({
      user: await core.register(authDeps(ctx), input, meta(ctx)),
    })),

  login: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/login",
        protect: false,
        errorResponses: [400, 401, 503],
        tags: TAGS,
        summary: "Sign in with email and password",
      },
    })
    .input(ZLoginRequestSchema)
    // Rate limit first, so attempts on a locked account still spend the caller's budget.
    .use(passwordBudget)
    .use(credentialRateLimit)
    .use(accountLockout)
    .output(ZTokenPairResponseSchema)
    .mutation(({ ctx, input }) => core.login(authDeps(ctx), input, meta(ctx))),

  refresh: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/refresh",
        protect: false,
        errorResponses: [400, 401, 503],
        tags: TAGS,
        summary: "Rotate a refresh token for a new token pair",
      },
    })
    .input(ZRefreshRequestSchema)
    .use(refreshRateLimit)
    .output(ZTokenPairResponseSchema)
    .mutation(({ ctx, input }) =>
      core.refreshSession(authDeps(ctx), input.refreshToken, meta(ctx)),
    ),

  logout: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/logout",
        protect: false,
        errorResponses: [400],
        tags: TAGS,
        summary: "End the session a refresh token belongs to",
      },
    })
    .input(ZRefreshRequestSchema)
    .output(ZOkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.logout(authDeps(ctx), input.refreshToken, meta(ctx));
      return { ok: true as const };
    }),

  logoutAll: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/logout-all",
        errorResponses: [401],
        tags: TAGS,
        summary: "End every session",
        protect: true,
      },
    })
    .input(ZNoInputSchema)
    .output(ZRevokedCountResponseSchema)
    .mutation(async ({ ctx }) => ({
      ok: true as const,
      ...(await core.logoutAll(authDeps(ctx), ctx.auth.user.id, meta(ctx))),
    })),

  me: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/auth/me",
        errorResponses: [401],
        tags: TAGS,
        summary: "The signed-in user",
        protect: true,
      },
    })
    .input(ZNoInputSchema)
    .output(ZMeResponseSchema)
    .query(({ ctx }) => ({ user: ctx.auth.user })),

  sessions: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/auth/sessions",
        errorResponses: [401],
        tags: TAGS,
        summary: "The user's live sessions",
        protect: true,
      },
    })
    .input(ZNoInputSchema)
    .output(ZSessionsResponseSchema)
    .query(async ({ ctx }) => ({
      sessions: await core.listSessions(authDeps(ctx), ctx.auth.user.id, ctx.auth.sessionId),
    })),

  revokeSession: protectedProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/auth/sessions/{id}",
        errorResponses: [400, 401, 404],
        tags: TAGS,
        summary: "End one of the user's sessions",
        protect: true,
      },
    })
    .input(ZSessionIdRequestSchema)
    .output(ZOkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.revokeSession(authDeps(ctx), ctx.auth.user.id, input.id, meta(ctx));
      return { ok: true as const };
    }),

  changePassword: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/password",
        errorResponses: [400, 401, 403, 503],
        tags: TAGS,
        summary: "Change the password; other sessions end",
        protect: true,
      },
    })
    .input(ZChangePasswordRequestSchema)
    .use(passwordBudget)
    .use(credentialRateLimit)
    .use(accountLockout)
    .output(ZRevokedCountResponseSchema)
    .mutation(async ({ ctx, input }) => ({
      ok: true as const,
      ...(await core.changePassword(
        authDeps(ctx),
        { userId: ctx.auth.user.id, sessionId: ctx.auth.sessionId },
        input,
        meta(ctx),
      )),
    })),
});
