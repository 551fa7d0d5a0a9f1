import type { Db } from "@lifeline/db";

/** How long an ended session is kept (for the sessions audit trail) before it is deleted. */
const ENDED_SESSION_KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * How long a used email token is kept. Its row is what tells a retried email job that its
 * link was already used (SMTP took the message, but the job's success was not recorded):
 * without it the retry would mint a fresh link. Retries end within hours.
 */
const USED_EMAIL_TOKEN_KEEP_MS = 24 * 3600 * 1000;

export interface PurgeResult {
  sessions: number;
  emailTokens: number;
}

/**
 * Deletes what can no longer be used: sessions past their expiry or ended a week ago (their
 * refresh tokens go with them, by cascade) and email tokens that expired or were used a
 * day ago.
 * Idempotent: a second run finds nothing more to delete.
 */
export async function purgeExpired(db: Db, now: Date): Promise<PurgeResult> {
  const endedBefore = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  const sessions = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { revokedAt: { lt: endedBefore } }] },
  });
  const emailTokens = await db.emailToken.deleteMany({
    where: {
      OR: [
        { expiresAt: { lt: now } },
        { usedAt: { lt: new Date(now.getTime() - USED_EMAIL_TOKEN_KEEP_MS) } },
      ],
    },
  });
  return { sessions: sessions.count, emailTokens: emailTokens.count };
}
