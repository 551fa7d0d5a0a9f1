import type { LinkedAccount } from "@lifeline/db";

import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import { decryptAccountTokens } from "./account-tokens";
import type { LinkingDeps, LinkRequestMeta } from "./linking-deps";

/** What happened at the provider when the account was unlinked. */
export type ProviderRevocation =
  /** The provider was asked to end the grant. */
  | "revoked"
  /** The provider has no revoke API (Instagram, Microsoft): deleting the tokens is all. */
  | "not_supported"
  /** It could not be asked (not configured here, tokens unreadable) or it failed: logged. */
  | "failed"
  /** There were no tokens left to revoke (already needs a re-link, or never had any). */
  | "no_tokens";

export interface UnlinkResult {
  revocation: ProviderRevocation;
}

export const linkedAccountNotFound = () =>
  new AppError({ code: "NOT_FOUND", message: "No such linked account" });

/**
 * Unlinks one of the user's accounts: revokes the grant at the provider where it can (a
 * failure there is logged and does not block: the user asked to be disconnected), then sets
 * status revoked and deletes both tokens in one write. Imported media stay. Another user's
 * id is NOT_FOUND exactly like an unknown one; an account already unlinked is NOT_FOUND too.
 */
export async function unlinkAccount(
  deps: LinkingDeps,
  userId: string,
  accountId: string,
  meta: LinkRequestMeta,
): Promise<UnlinkResult> {
  const row = await deps.db.linkedAccount.findFirst({
    where: { id: accountId, userId, status: { not: "revoked" } },
  });
  if (!row) throw linkedAccountNotFound();
  const revocation = await revokeAtProvider(deps, row);
  const updated = await deps.db.linkedAccount.updateMany({
    where: { id: row.id, userId },
    data: { status: "revoked", accessTokenEnc: null, refreshTokenEnc: null },
  });
  if (updated.count === 0) throw linkedAccountNotFound();
  await writeAuditEvent(deps.db, {
    type: "account_unlinked",
    userId,
    ip: meta.ip,
    data: { provider: row.provider, linkedAccountId: row.id, revocation },
  });
  deps.logger.info(
    { provider: row.provider, userId, linkedAccountId: row.id, revocation },
    "account unlinked",
  );
  return { revocation };
}

async function revokeAtProvider(
  deps: LinkingDeps,
  row: LinkedAccount,
): Promise<ProviderRevocation> {
  const log = { provider: row.provider, linkedAccountId: row.id };
  if (!deps.providers.isAvailable(row.provider)) {
    deps.logger.warn(
      log,
      "unlink: provider not configured here, grant not revoked at the provider",
    );
    return "failed";
  }
  const provider = deps.providers.get(row.provider);
  if (!provider.revoke) return "not_supported";
  try {
    const tokens = decryptAccountTokens(deps.cipher, row);
    if (!tokens) return "no_tokens";
    await provider.revoke(tokens);
    return "revoked";
  } catch (error) {
    // Never the tokens: a ProviderError serialises without them, a decryption error has none.
    deps.logger.warn(
      {
        ...log,
        err: error instanceof Error ? { name: error.name, message: error.message } : error,
      },
      "unlink: revoking at the provider failed; the tokens are deleted anyway",
    );
    return "failed";
  }
}
