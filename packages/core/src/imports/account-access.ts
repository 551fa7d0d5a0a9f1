import type { AccountAccess } from "@lifeline/providers";

/**
 * Where imports get a linked account's tokens: the refresh engine's
 * refreshingAccountAccess (accounts/refresh) in the jobs app, one seam for tests.
 */
export interface AccountAccessSource {
  /** Tokens fit to call the provider with now (refreshed first when they end soon). */
  current(linkedAccountId: string): Promise<AccountAccess>;
  /**
   * The provider refused the tokens (expired early, rotated elsewhere): refresh once now,
   * whatever the stored expiry says, and return the new tokens. A ProviderError
   * (needs_relink) when the grant cannot be renewed.
   */
  renew(linkedAccountId: string): Promise<AccountAccess>;
  /** The grant is dead: the account becomes needs_reauth (its owner is told to link again). */
  flagNeedsReauth(linkedAccountId: string, reason: string): Promise<void>;
}
