import { randomUUID } from "node:crypto";

import { isUniqueViolation } from "@lifeline/db";
import {
  isProviderError,
  parseCallback,
  type Provider,
  type ProviderId,
  type ProviderProfile,
  type TokenSet,
} from "@lifeline/providers";

import { writeAuditEvent } from "../audit/write-audit-event";
import { encryptAccountTokens } from "./account-tokens";
import { refuseLink } from "./link-audit";
import { LinkRefusedError, refusalForProviderError } from "./link-refusal";
import {
  linkedAccountViewSelect,
  toLinkedAccountView,
  type LinkedAccountView,
} from "./linked-account-view";
import type { LinkingDeps, LinkRequestMeta } from "./linking-deps";
import type { PendingLink } from "./oauth-states";

export interface CompleteLinkInput {
  /** The provider named by the route the callback arrived on. */
  provider: ProviderId;
  /** The callback's query as the provider sent it: code and state, or error (and state). */
  callback: URLSearchParams;
  /**
   * completeLink (bearer token): the caller, who must be the user who started the link.
   * The browser callback has no bearer token: the user comes from the state.
   */
  callerUserId?: string;
}

export interface CompletedLink {
  userId: string;
  account: LinkedAccountView;
  /** The same provider account was linked to this user before (reactivated or refreshed). */
  relinked: boolean;
}

/**
 * Finishes a link: takes the state (once), checks who and what it was for, exchanges the
 * code (with the PKCE verifier), applies the long-lived exchange where the provider has one,
 * reads the profile, and upserts the LinkedAccount with its tokens encrypted. Every refusal
 * is audited and thrown as a LinkRefusedError; a refusal never writes a LinkedAccount.
 */
export async function completeLink(
  deps: LinkingDeps,
  input: CompleteLinkInput,
  meta: LinkRequestMeta,
): Promise<CompletedLink> {
  const parsed = parseCallback(input.callback);
  const refusalMeta = (userId: string | null) => ({ ...meta, userId, provider: input.provider });

  if (!parsed.state) {
    throw await refuseLink(deps, refusalMeta(input.callerUserId ?? null), "state_missing");
  }
  const taken = await deps.states.take(parsed.state);
  if (!taken.ok) {
    throw await refuseLink(deps, refusalMeta(input.callerUserId ?? null), taken.reason);
  }
  const link = taken.link;
  if (input.callerUserId !== undefined && link.userId !== input.callerUserId) {
    // Audited against the caller; the owner's state is spent, so they simply start again.
    throw await refuseLink(deps, refusalMeta(input.callerUserId), "state_other_user");
  }
  if (link.provider !== input.provider) {
    throw await refuseLink(deps, refusalMeta(link.userId), "state_provider_mismatch", {
      stateProvider: link.provider,
    });
  }
  if (!parsed.ok) {
    const reason = parsed.cancelled
      ? "access_denied"
      : parsed.error === "missing_code"
        ? "code_missing"
        : "provider_error";
    throw await refuseLink(deps, refusalMeta(link.userId), reason, {
      providerError: parsed.error.slice(0, 100),
    });
  }
  if (!deps.providers.isAvailable(input.provider)) {
    throw await refuseLink(deps, refusalMeta(link.userId), "provider_not_configured");
  }

  let tokens: TokenSet;
  let profile: ProviderProfile;
  try {
    ({ tokens, profile } = await fetchGrant(deps.providers.get(input.provider), parsed.code, link));
  } catch (error) {
    if (!isProviderError(error)) throw error;
    throw await refuseLink(deps, refusalMeta(link.userId), refusalForProviderError(error));
  }

  const saved = await saveLinkedAccount(deps, link, tokens, profile).catch(
    async (error: unknown) => {
      if (error instanceof LinkRefusedError) {
        throw await refuseLink(deps, refusalMeta(link.userId), error);
      }
      throw error;
    },
  );
  await writeAuditEvent(deps.db, {
    type: "account_linked",
    userId: link.userId,
    ip: meta.ip,
    data: {
      provider: input.provider,
      linkedAccountId: saved.account.id,
      relinked: saved.relinked,
      ...(saved.detachedAccountId ? { detachedAccountId: saved.detachedAccountId } : {}),
      scopes: tokens.scopes.slice(0, 20),
    },
  });
  deps.logger.info(
    { provider: input.provider, userId: link.userId, linkedAccountId: saved.account.id },
    "account linked",
  );
  return { userId: link.userId, account: saved.account, relinked: saved.relinked };
}

/** The provider half: code → tokens → long-lived tokens → who they belong to. */
async function fetchGrant(
  provider: Provider,
  code: string,
  link: PendingLink,
): Promise<{ tokens: TokenSet; profile: ProviderProfile }> {
  let tokens = await provider.exchangeCode({
    code,
    redirectUri: link.redirectUri,
    ...(link.codeVerifier ? { codeVerifier: link.codeVerifier } : {}),
  });
  if (provider.exchangeLongLived) tokens = await provider.exchangeLongLived(tokens);
  const profile = await provider.profile(tokens);
  return { tokens, profile };
}

interface SavedAccount {
  account: LinkedAccountView;
  relinked: boolean;
  /** A revoked row of another user for the same provider account, removed to make room. */
  detachedAccountId: string | null;
}

/**
 * One row per provider account. Already this user's: refreshed and reactivated. Another
 * user's and still linked: refused (account_taken). Another user's but unlinked (revoked):
 * that row is deleted, its media keep their rows (the relation is SetNull) and stay the
 * previous owner's, and a new row is created. A race with another link of the same account
 * loses on the unique index and is tried once more, reading the winner's row.
 */
async function saveLinkedAccount(
  deps: LinkingDeps,
  link: PendingLink,
  tokens: TokenSet,
  profile: ProviderProfile,
): Promise<SavedAccount> {
  try {
    return await upsertOnce(deps, link, tokens, profile);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return upsertOnce(deps, link, tokens, profile);
  }
}

async function upsertOnce(
  deps: LinkingDeps,
  link: PendingLink,
  tokens: TokenSet,
  profile: ProviderProfile,
): Promise<SavedAccount> {
  return deps.db.$transaction(async (tx) => {
    const key = { provider: link.provider, providerAccountId: profile.id };
    const existing = await tx.linkedAccount.findUnique({
      where: { provider_providerAccountId: key },
      select: { id: true, userId: true, status: true },
    });
    const common = {
      handle: truncate(profile.handle),
      displayName: truncate(profile.displayName),
      status: "active" as const,
      lastRefreshError: null,
      reauthNotifiedAt: null,
      expiryWarnedAt: null,
    };
    if (existing && existing.userId === link.userId) {
      const row = await tx.linkedAccount.update({
        where: { id: existing.id },
        data: { ...common, ...encryptAccountTokens(deps.cipher, existing.id, tokens) },
        select: linkedAccountViewSelect,
      });
      return { account: toLinkedAccountView(row), relinked: true, detachedAccountId: null };
    }
    let detachedAccountId: string | null = null;
    if (existing) {
      if (existing.status !== "revoked") throw new LinkRefusedError("account_taken");
      await tx.linkedAccount.delete({ where: { id: existing.id } });
      detachedAccountId = existing.id;
    }
    const id = randomUUID();
    const row = await tx.linkedAccount.create({
      data: {
        id,
        userId: link.userId,
        ...key,
        ...common,
        ...encryptAccountTokens(deps.cipher, id, tokens),
      },
      select: linkedAccountViewSelect,
    });
    return { account: toLinkedAccountView(row), relinked: false, detachedAccountId };
  });
}

/** Display fields fit their columns (255); a provider's overlong name is cut, not refused. */
function truncate(value: string | null): string | null {
  return value === null ? null : value.slice(0, 255);
}
