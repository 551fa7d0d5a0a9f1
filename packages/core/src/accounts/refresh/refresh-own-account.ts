import { ProviderError } from "@lifeline/providers";

import { appErrorForProviderError } from "../link-refusal";
import {
  linkedAccountViewSelect,
  toLinkedAccountView,
  type LinkedAccountView,
} from "../linked-account-view";
import { linkedAccountNotFound } from "../unlink-account";
import type { RefreshDeps } from "./deps";
import { refreshLinkedAccount, type RefreshOutcome } from "./refresh-account";

/** What the owner's refresh came to, beside the account as it now is. */
export type OwnRefreshOutcome = Extract<
  RefreshOutcome["outcome"],
  "refreshed" | "refreshed_elsewhere" | "not_due" | "not_refreshable" | "expiry_warned"
>;

export interface OwnRefreshResult {
  account: LinkedAccountView;
  outcome: OwnRefreshOutcome;
  /** For not_refreshable: why (e.g. Facebook links cannot be refreshed). */
  detail: string | null;
}

/**
 * accounts.refresh: the owner asks for a refresh of one of their accounts now. Another
 * user's id is NOT_FOUND exactly like an unknown or unlinked one. A dead grant is CONFLICT
 * (reason needs_relink; the account is flagged and the owner emailed once, as the sweep
 * does); a transient failure SERVICE_UNAVAILABLE (retry_later, with Retry-After); our
 * misconfiguration SERVICE_UNAVAILABLE (misconfigured).
 */
export async function refreshOwnAccount(
  deps: RefreshDeps,
  userId: string,
  accountId: string,
): Promise<OwnRefreshResult> {
  const own = await deps.db.linkedAccount.findFirst({
    where: { id: accountId, userId, accessTokenEnc: { not: null } },
    select: { provider: true },
  });
  if (!own) throw linkedAccountNotFound();
  const result = await refreshLinkedAccount(deps, accountId, { trigger: "manual" });
  const fail = (code: ProviderError["code"], message: string, retryAfterMs?: number) =>
    appErrorForProviderError(
      new ProviderError({
        code,
        provider: own.provider,
        message,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      }),
    );
  switch (result.outcome) {
    case "needs_reauth":
      throw fail("needs_relink", result.error);
    case "retry_later":
      // Without the provider's word, a minute: the next try is as likely to work as any.
      throw fail("retry_later", result.error, result.retryAfterMs ?? 60_000);
    case "misconfigured":
      throw fail("misconfigured", result.error);
    case "inactive":
      if (result.status === "needs_reauth") throw fail("needs_relink", "needs_reauth");
      throw linkedAccountNotFound();
    default: {
      const row = await deps.db.linkedAccount.findFirst({
        where: { id: accountId, userId },
        select: linkedAccountViewSelect,
      });
      if (!row) throw linkedAccountNotFound();
      return {
        account: toLinkedAccountView(row),
        outcome: result.outcome,
        detail: result.outcome === "not_refreshable" ? result.reason : null,
      };
    }
  }
}
