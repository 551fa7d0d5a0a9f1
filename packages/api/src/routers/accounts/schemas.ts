import { PROVIDER_IDS } from "@lifeline/core";
import { z } from "zod";

/**
 * Inputs and outputs of the accounts procedures (linking provider accounts); the OpenAPI
 * document is built from these. No schema here has a field for a token: the list and the
 * link answers are built from columns that exclude them.
 */

export const ZProviderIdSchema = z
  .enum(PROVIDER_IDS, { error: `must be one of: ${PROVIDER_IDS.join(", ")}` })
  .meta({ description: "The provider", examples: ["instagram"] });

export const ZLinkedAccountIdSchema = z
  .uuid({ error: "must be a UUID" })
  .meta({ examples: ["7c9e6679-7425-40de-944b-e07fc1f90ae7"] });

const ZIsoDateTime = z.string().meta({ description: "ISO 8601, UTC" });

export const ZProviderAvailabilitySchema = z.object({
  provider: ZProviderIdSchema,
  name: z.string().meta({ description: "What the product calls it" }),
  available: z.boolean().meta({
    description: "False when this server has no credentials for it: linking it is refused (503)",
  }),
});

export const ZProvidersResponseSchema = z.object({
  providers: z
    .array(ZProviderAvailabilitySchema)
    .meta({ description: "All six, in product order" }),
});

export const ZLinkedAccountSchema = z
  .object({
    id: z.uuid(),
    provider: ZProviderIdSchema,
    providerAccountId: z.string().meta({ description: "The provider's id for the account" }),
    handle: z.string().nullable(),
    displayName: z.string().nullable(),
    status: z.enum(["active", "needs_reauth", "revoked"]).meta({
      description: "`needs_reauth`: the grant lapsed or was revoked; link it again",
    }),
    expiresAt: ZIsoDateTime.nullable().meta({
      description: "When the current access token expires (it is renewed before); null: never",
    }),
    scopes: z
      .array(z.string())
      .meta({ description: "What the user granted, as the provider names it" }),
    lastRefreshAt: ZIsoDateTime.nullable(),
    lastRefreshError: z.string().nullable().meta({
      description: "Why the last token refresh failed (a stable code and a short reason)",
    }),
    lastSyncedAt: ZIsoDateTime.nullable().meta({ description: "When the last import completed" }),
    linkedAt: ZIsoDateTime,
    updatedAt: ZIsoDateTime,
  })
  .meta({ id: "LinkedAccount" });

export const ZListAccountsResponseSchema = z.object({
  accounts: z.array(ZLinkedAccountSchema).meta({
    description: "Your linked accounts (unlinked ones are left out; their media stay)",
  }),
});

const ZRedirectUriSchema = z
  .url({ error: "must be an absolute URL" })
  .max(2000, { error: "must be at most 2000 characters" });

export const ZStartLinkRequestSchema = z.object({
  provider: ZProviderIdSchema,
  redirectUri: ZRedirectUriSchema.optional().meta({
    description:
      "Only for clients that own their redirect URI and finish with completeLink; its origin must be allow-listed. Default: this server's callback",
  }),
});

export const ZStartLinkResponseSchema = z.object({
  authorizeUrl: z.string().meta({
    description: "Send the browser here; the provider returns it to the callback",
  }),
  expiresAt: ZIsoDateTime.meta({
    description: "The link must be completed before this (10 minutes)",
  }),
});

const ZCallbackValue = (max: number) =>
  z
    .string({ error: "must be a string" })
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` });

export const ZCompleteLinkRequestSchema = z.object({
  provider: ZProviderIdSchema,
  state: ZCallbackValue(512).meta({ description: "The `state` the provider sent back" }),
  code: ZCallbackValue(4096).optional().meta({ description: "The `code` the provider sent back" }),
  error: ZCallbackValue(200).optional().meta({
    description:
      "The provider's `error` instead of a code (e.g. access_denied): recorded and refused",
  }),
});

export const ZCompleteLinkResponseSchema = z.object({
  account: ZLinkedAccountSchema,
  relinked: z.boolean().meta({
    description: "The same provider account was already linked to you (renewed and reactivated)",
  }),
});

export const ZUnlinkRequestSchema = z.object({ id: ZLinkedAccountIdSchema });

export const ZUnlinkResponseSchema = z.object({
  ok: z.literal(true),
  revocation: z.enum(["revoked", "not_supported", "failed", "no_tokens"]).meta({
    description:
      "At the provider: `revoked`, `not_supported` (no revoke API), `failed` (logged; the tokens are deleted anyway) or `no_tokens`",
  }),
});

export const ZRefreshAccountRequestSchema = z.object({ id: ZLinkedAccountIdSchema });

export const ZRefreshAccountResponseSchema = z.object({
  account: ZLinkedAccountSchema,
  outcome: z
    .enum(["refreshed", "refreshed_elsewhere", "not_due", "not_refreshable", "expiry_warned"])
    .meta({
      description:
        "`refreshed`: new tokens stored; `refreshed_elsewhere`: a refresh already running finished first; `not_refreshable`: this provider cannot refresh it now (Facebook; Instagram under 24 h old), see `detail`; `expiry_warned`: no refresh exists and you were emailed when it ends",
    }),
  detail: z.string().nullable().meta({ description: "Why, for not_refreshable" }),
});
