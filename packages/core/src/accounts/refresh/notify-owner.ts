import { sendEmailJob } from "@lifeline/queue";

import { writeAuditEvent } from "../../audit/write-audit-event";
import type { RefreshDeps, RefreshTrigger } from "./deps";
import { grantGeneration, type RefreshRow } from "./account-row";

export interface ReauthCause {
  /** Stable, short, no secret: e.g. `needs_relink: x refresh token invalid`. */
  error: string;
  providerCode?: string | undefined;
  trigger: RefreshTrigger;
}

/**
 * The grant is dead (revoked, expired, a read scope withdrawn): the account becomes
 * needs_reauth, the change is audited, and the owner is emailed once per lapse. The email is
 * enqueued first under an id derived from this grant, so a retry after a failed write
 * enqueues nothing new; the write only happens if the row still holds the grant that failed
 * (an unlink or re-link meanwhile wins). Resolves to whether this call flagged the account.
 */
export async function flagNeedsReauth(
  deps: RefreshDeps,
  row: RefreshRow,
  cause: ReauthCause,
  now: Date,
): Promise<boolean> {
  if (row.reauthNotifiedAt === null) {
    await deps.jobs.enqueue(
      sendEmailJob,
      { template: "reconnect-provider", userId: row.userId, linkedAccountId: row.id },
      { jobId: `email-reconnect-${row.id}-${grantGeneration(row)}` },
    );
  }
  return deps.db.$transaction(async (tx) => {
    const flagged = await tx.linkedAccount.updateMany({
      where: { id: row.id, status: "active", accessTokenEnc: row.accessTokenEnc },
      data: {
        status: "needs_reauth",
        lastRefreshError: cause.error.slice(0, 500),
        reauthNotifiedAt: row.reauthNotifiedAt ?? now,
      },
    });
    if (flagged.count === 0) return false;
    await writeAuditEvent(tx, {
      type: "account_needs_reauth",
      userId: row.userId,
      data: {
        linkedAccountId: row.id,
        provider: row.provider,
        trigger: cause.trigger,
        ...(cause.providerCode ? { providerCode: cause.providerCode } : {}),
      },
    });
    return true;
  });
}

/**
 * A link that cannot be refreshed (Facebook; LinkedIn without partner approval) ends soon:
 * the owner is told once, with the date, so they can link it again in time.
 */
export async function warnExpiry(deps: RefreshDeps, row: RefreshRow, now: Date): Promise<void> {
  if (row.expiryWarnedAt !== null || row.expiresAt === null) return;
  await deps.jobs.enqueue(
    sendEmailJob,
    { template: "provider-expiring", userId: row.userId, linkedAccountId: row.id },
    { jobId: `email-expiring-${row.id}-${grantGeneration(row)}` },
  );
  await deps.db.linkedAccount.updateMany({
    where: { id: row.id, expiryWarnedAt: null, accessTokenEnc: row.accessTokenEnc },
    data: { expiryWarnedAt: now },
  });
}
