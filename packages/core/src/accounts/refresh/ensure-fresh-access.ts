import { ProviderError, type AccountAccess, type ProviderId } from "@lifeline/providers";

import { AppError } from "../../errors/app-error";
import { decryptAccountTokens } from "../account-tokens";
import { dueFacts, readRefreshRow, type RefreshRow } from "./account-row";
import type { RefreshDeps } from "./deps";
import { cannotRefresh } from "./policy";
import { refreshLinkedAccount, refreshPolicy } from "./refresh-account";

/**
 * The tokens to call the provider with for one linked account, refreshed first (under the
 * account's lock, see refreshLinkedAccount) when they end within the on-demand margin
 * (5 minutes): X, Google and Microsoft access tokens live 1-2 hours, far less than the
 * sweep's 6. Provider failures are ProviderErrors with the usual codes (needs_relink after
 * the account was flagged, retry_later, misconfigured); an unknown id is NOT_FOUND.
 */
export async function ensureFreshAccess(
  deps: RefreshDeps,
  accountId: string,
): Promise<AccountAccess> {
  const now = deps.now?.() ?? new Date();
  const row = await readRefreshRow(deps.db, accountId);
  if (!row) throw new AppError({ code: "NOT_FOUND", message: "No such linked account" });
  assertActive(row);
  const { onDemandMarginMs } = refreshPolicy(deps);
  const endsSoon =
    row.expiresAt !== null && row.expiresAt.getTime() - now.getTime() <= onDemandMarginMs;
  if (!endsSoon || cannotRefresh(dueFacts(row))) return accessOf(deps, row, now);

  return refreshThenRead(deps, row, false);
}

/**
 * The provider refused the access token before its stored expiry (revoked early, rotated
 * elsewhere): refresh now whatever the expiry says, under the lock, and return the result.
 * A ProviderError when the grant cannot be renewed (needs_relink once the account is flagged).
 */
export async function renewAccess(deps: RefreshDeps, accountId: string): Promise<AccountAccess> {
  const row = await readRefreshRow(deps.db, accountId);
  if (!row) throw new AppError({ code: "NOT_FOUND", message: "No such linked account" });
  assertActive(row);
  if (cannotRefresh(dueFacts(row))) {
    throw providerError(
      row.provider,
      "needs_relink",
      `the ${row.provider} token was refused and cannot be renewed`,
    );
  }
  return refreshThenRead(deps, row, true);
}

async function refreshThenRead(
  deps: RefreshDeps,
  row: RefreshRow,
  force: boolean,
): Promise<AccountAccess> {
  const accountId = row.id;
  const result = await refreshLinkedAccount(deps, accountId, { trigger: "on_demand", force });
  const now = deps.now?.() ?? new Date();
  switch (result.outcome) {
    case "refreshed":
    case "refreshed_elsewhere":
    case "not_due":
    case "not_refreshable":
    case "expiry_warned":
    case "inactive": {
      const fresh = await readRefreshRow(deps.db, accountId);
      if (!fresh) throw new AppError({ code: "NOT_FOUND", message: "No such linked account" });
      assertActive(fresh);
      return accessOf(deps, fresh, now);
    }
    case "needs_reauth":
      throw providerError(row.provider, "needs_relink", result.error);
    case "retry_later":
      throw new ProviderError({
        code: "retry_later",
        provider: row.provider,
        message: result.error,
        ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
      });
    case "misconfigured":
      throw providerError(row.provider, "misconfigured", result.error);
  }
}

function providerError(
  provider: ProviderId,
  code: "needs_relink" | "misconfigured",
  message: string,
): ProviderError {
  return new ProviderError({ code, provider, message });
}

function assertActive(row: RefreshRow): void {
  if (row.status !== "active" || row.accessTokenEnc === null) {
    throw providerError(
      row.provider,
      "needs_relink",
      `the ${row.provider} account is ${row.accessTokenEnc === null ? "unlinked" : row.status}: link it again`,
    );
  }
}

function accessOf(deps: RefreshDeps, row: RefreshRow, now: Date): AccountAccess {
  let tokens;
  try {
    tokens = decryptAccountTokens(deps.cipher, row);
  } catch (error) {
    throw new ProviderError({
      code: "misconfigured",
      provider: row.provider,
      message: "the stored token cannot be decrypted with the configured keys",
      cause: error,
    });
  }
  if (tokens === null) throw providerError(row.provider, "needs_relink", "the account is unlinked");
  if (tokens.expiresAt !== null && tokens.expiresAt <= now && cannotRefresh(dueFacts(row))) {
    throw providerError(
      row.provider,
      "needs_relink",
      `the ${row.provider} link expired: link it again`,
    );
  }
  return { tokens, accountId: row.providerAccountId };
}
