import * as core from "@lifeline/core";

import type { Context } from "../../context";
import { accountLockout } from "../../middlewares/account-lockout";
import { credentialRateLimit } from "../../middlewares/credential-rate-limit";
import { passwordBudget } from "../../middlewares/password-budget";
import { refreshRateLimit } from "../../middlewares/refresh-rate-limit";
import { protectedProcedure, publicProcedure, router } from "../../trpc";
import { ACCEPTED_MESSAGES } from "./messages";
import {
  ZAcceptedResponseSchema,
  ZChangePasswordRequestSchema,
  ZCredentialsRequestSchema,
  ZEmailRequestSchema,
  ZLoginRequestSchema,
  ZMeResponseSchema,
  ZNoInputSchema,
  ZOkResponseSchema,
  ZRefreshRequestSchema,
  ZResetPasswordRequestSchema,
  ZRevokedCountResponseSchema,
  ZSessionIdRequestSchema,
  ZSessionsResponseSchema,
  ZTokenPairResponseSchema,
  ZVerifyEmailRequestSchema,
} from "./schemas";

const TAGS = ["auth"];

function authDeps(ctx: Context): core.AuthDeps {
  const { db, accessTokens, passwords, authConfig, now } = ctx.deps;
  return { db, accessTokens, passwords, config: authConfig, ...(now ? { now } : {}) };
}

function accountDeps(ctx: Context): core.AccountDeps {
  const { jobs, rateLimits } = ctx.deps;
  return {
    ...authDeps(ctx),
    jobs,
    mailGate: (key) => rateLimits.allowAccountEmail(key),
  };
}

const meta = (ctx: Context): core.ClientMeta => ({ ip: ctx.ip, userAgent: ctx.userAgent });

export const authRouter = router({
  register: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/register",
        protect: false,
        errorResponses: [400, 503],
        tags: TAGS,
        summary: "Create an account (the answer is the same whether or not the email is taken)",
        description:
          "A new address gets an account and an email with a verification link; the owner of a taken one gets an email saying someone tried. Both get the same answer.",
      },
    })
    .input(ZCredentialsRequestSchema)
    // After .input(): a malformed request is a BAD_REQUEST and counts against no limit.
    .use(passwordBudget)
    .use(credentialRateLimit)
    .output(ZAcceptedResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.register(accountDeps(ctx), input, meta(ctx));
      return { ok: true as const, message: ACCEPTED_MESSAGES.registered };
    }),

  verifyEmail: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/verify-email",
        protect: false,
        errorResponses: {
          400: "Invalid input, or a link that is invalid, expired or already used",
          503: "A service this request needs is unavailable; retry shortly",
        },
        tags: TAGS,
        summary: "Verify the email address with the token from the emailed link",
      },
    })
    .input(ZVerifyEmailRequestSchema)
    .use(credentialRateLimit)
    .output(ZOkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.verifyEmail(authDeps(ctx), input.token, meta(ctx));
      return { ok: true as const };
    }),

  resendVerification: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/resend-verification",
        protect: false,
        errorResponses: [400, 503],
        tags: TAGS,
        summary: "Send the verification link again (the answer never says whether it was sent)",
      },
    })
    .input(ZEmailRequestSchema)
    .use(credentialRateLimit)
    .output(ZAcceptedResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.resendVerification(accountDeps(ctx), input.email);
      return { ok: true as const, message: ACCEPTED_MESSAGES.verificationResent };
    }),

  requestPasswordReset: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/request-password-reset",
        protect: false,
        errorResponses: [400, 503],
        tags: TAGS,
        summary: "Email a password-reset link (the answer never says whether the account exists)",
      },
    })
    .input(ZEmailRequestSchema)
    .use(credentialRateLimit)
    .output(ZAcceptedResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await core.requestPasswordReset(accountDeps(ctx), input.email);
      return { ok: true as const, message: ACCEPTED_MESSAGES.resetRequested };
    }),

  resetPassword: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/reset-password",
        protect: false,
        errorResponses: {
          400: "Invalid input, or a link that is invalid, expired or already used",
          503: "A service this request needs is unavailable; retry shortly",
        },
        tags: TAGS,
        summary: "Set a new password with the token from the emailed link; every session ends",
      },
    })
    .input(ZResetPasswordRequestSchema)
    // It hashes: one per request, and counted per client. Never behind the login lockout:
    // proving the mailbox is how a locked-out owner gets back in.
    .use(passwordBudget)
    .use(credentialRateLimit)
    .output(ZRevokedCountResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const { email, revokedSessions } = await core.resetPassword(authDeps(ctx), input, meta(ctx));
      try {
        await ctx.deps.rateLimits.lockout.clearAccount(email);
      } catch (error) {
        // The password is changed and the link spent: the answer stands. The lock lapses
        // by itself (at most LOGIN_LOCKOUT_MAX_SECONDS, or the account window).
        ctx.logger.error({ err: error }, "login lockout not cleared after a password reset");
      }
      return { ok: true as const, revokedSessions };
    }),

  login: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/login",
        protect: false,
        errorResponses: {
          400: "Invalid input",
          401: "Wrong email or password (reason credentials_invalid)",
          403: "REQUIRE_VERIFIED_EMAIL is on and the address is not verified (reason email_unverified)",
          503: "A service this request needs is unavailable; retry shortly",
        },
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
