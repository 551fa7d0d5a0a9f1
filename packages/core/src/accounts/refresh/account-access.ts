import { AppError } from "../../errors/app-error";
import { readRefreshRow } from "./account-row";
import type { RefreshDeps } from "./deps";
import { ensureFreshAccess, renewAccess } from "./ensure-fresh-access";
import { flagNeedsReauth } from "./notify-owner";

/**
 * The three things a provider caller (imports) needs, backed by the refresh engine: tokens
 * refreshed on demand under the account's lock, a forced renewal when the provider refused a
 * token early, and flagging a dead grant (needs_reauth, one audit event, one email).
 */
export function refreshingAccountAccess(deps: RefreshDeps) {
  return {
    current: (linkedAccountId: string) => ensureFreshAccess(deps, linkedAccountId),
    renew: (linkedAccountId: string) => renewAccess(deps, linkedAccountId),
    async flagNeedsReauth(linkedAccountId: string, reason: string): Promise<void> {
      const row = await readRefreshRow(deps.db, linkedAccountId);
      if (!row) throw new AppError({ code: "NOT_FOUND", message: "No such linked account" });
      if (row.status !== "active") return;
      await flagNeedsReauth(
        deps,
        row,
        { error: reason, trigger: "on_demand" },
        deps.now?.() ?? new Date(),
      );
    },
  };
}
