import {
  completeLink,
  listLinkedAccounts,
  providerAvailability,
  refreshOwnAccount,
  startLink,
  unlinkAccount,
  type LinkedAccountView,
} from "@lifeline/core";

import { z } from "zod";

import { protectedProcedure, router } from "../../trpc";
import { linkingDeps } from "./linking-deps";
import { refreshDeps } from "./refresh-deps";
import {
  ZCompleteLinkRequestSchema,
  ZCompleteLinkResponseSchema,
  ZListAccountsResponseSchema,
  ZProvidersResponseSchema,
  ZRefreshAccountRequestSchema,
  ZRefreshAccountResponseSchema,
  ZStartLinkRequestSchema,
  ZStartLinkResponseSchema,
  ZUnlinkRequestSchema,
  ZUnlinkResponseSchema,
} from "./schemas";

const TAGS = ["accounts"];

const ERRORS = {
  401: "Missing, invalid or expired access token",
  503: "Postgres or Redis is unavailable; retry shortly",
};
const LINK_ERRORS = {
  ...ERRORS,
  400: "Invalid input; or the link was refused (reason link_state_invalid, link_cancelled or needs_relink; the message says which)",
  503: "The provider is not configured here (reason misconfigured), is failing (retry_later, with Retry-After when it said), or Postgres/Redis is down",
};
const COMPLETE_ERRORS = {
  ...LINK_ERRORS,
  403: "The state belongs to a link another user started (reason link_state_invalid)",
  409: "That provider account is linked to another Lifeline user (reason account_taken)",
};
const ACCOUNT_ERRORS = {
  ...ERRORS,
  400: "Invalid input; `details` names each field",
  404: "No such linked account: unknown, already unlinked, or not yours (the same answer)",
};

const REFRESH_ERRORS = {
  ...ACCOUNT_ERRORS,
  409: "The grant was revoked or has expired (reason needs_relink): link the account again",
  503: "The provider is failing (reason retry_later, with Retry-After), is not set up on this server (misconfigured), or Postgres/Redis is down",
};

/** Dates as ISO strings, as every REST answer carries them. */
function toWire(account: LinkedAccountView) {
  return {
    ...account,
    expiresAt: account.expiresAt?.toISOString() ?? null,
    lastRefreshAt: account.lastRefreshAt?.toISOString() ?? null,
    lastSyncedAt: account.lastSyncedAt?.toISOString() ?? null,
    linkedAt: account.linkedAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

/**
 * Linked provider accounts: which providers this server can link, the caller's accounts,
 * linking (start, and completion for clients that own their redirect URI; browsers finish
 * at the plain callback route GET /api/accounts/{provider}/callback) and unlinking. Every
 * query is scoped to the caller. Order matters for the REST bridge: /accounts/providers
 * must come before any /accounts/{id} route.
 */
export const accountsRouter = router({
  providers: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/accounts/providers",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "The six providers and whether this server can link each",
      },
    })
    .input(z.void())
    .output(ZProvidersResponseSchema)
    .query(({ ctx }) => ({ providers: providerAvailability(ctx.deps.providers) })),

  list: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/accounts",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "Your linked accounts: status, handle, token expiry, last refresh (never tokens)",
      },
    })
    .input(z.void())
    .output(ZListAccountsResponseSchema)
    .query(async ({ ctx }) => ({
      accounts: (await listLinkedAccounts(ctx.deps.db, ctx.auth.user.id)).map(toWire),
    })),

  startLink: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/accounts/{provider}/link",
        protect: true,
        errorResponses: LINK_ERRORS,
        tags: TAGS,
        summary:
          "Start linking a provider account: returns the provider's consent URL (valid 10 minutes)",
      },
    })
    .input(ZStartLinkRequestSchema)
    .output(ZStartLinkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const started = await startLink(
        linkingDeps(ctx),
        { userId: ctx.auth.user.id, provider: input.provider, redirectUri: input.redirectUri },
        { ip: ctx.ip },
      );
      return { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt.toISOString() };
    }),

  completeLink: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/accounts/{provider}/complete",
        protect: true,
        errorResponses: COMPLETE_ERRORS,
        tags: TAGS,
        summary: "Finish a link with the code and state your own redirect URI received",
      },
    })
    .input(ZCompleteLinkRequestSchema)
    .output(ZCompleteLinkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const callback = new URLSearchParams({ state: input.state });
      if (input.code !== undefined) callback.set("code", input.code);
      if (input.error !== undefined) callback.set("error", input.error);
      const linked = await completeLink(
        linkingDeps(ctx),
        { provider: input.provider, callback, callerUserId: ctx.auth.user.id },
        { ip: ctx.ip },
      );
      return { account: toWire(linked.account), relinked: linked.relinked };
    }),

  unlink: protectedProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/accounts/{id}",
        protect: true,
        errorResponses: ACCOUNT_ERRORS,
        tags: TAGS,
        summary:
          "Unlink an account: revoked at the provider where possible, tokens deleted, media kept",
      },
    })
    .input(ZUnlinkRequestSchema)
    .output(ZUnlinkResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await unlinkAccount(linkingDeps(ctx), ctx.auth.user.id, input.id, {
        ip: ctx.ip,
      });
      return { ok: true as const, revocation: result.revocation };
    }),

  refresh: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/accounts/{id}/refresh",
        protect: true,
        errorResponses: REFRESH_ERRORS,
        tags: TAGS,
        summary:
          "Refresh an account's provider tokens now (the 6-hourly job does it anyway); never returns tokens",
      },
    })
    .input(ZRefreshAccountRequestSchema)
    .output(ZRefreshAccountResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await refreshOwnAccount(refreshDeps(ctx), ctx.auth.user.id, input.id);
      return { account: toWire(result.account), outcome: result.outcome, detail: result.detail };
    }),
});
