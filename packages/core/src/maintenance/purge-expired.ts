import type { Db } from "@lifeline/db";

/** How long an ended session is kept (for the sessions audit trail) before it is deleted. */
const ENDED_SESSION_KEEP_MS = 7 * 24 * 3600 * 1000;

export interface PurgeResult {
  sessions: number;
  emailTokens: number;
}

/**
 * Deletes what can no longer be used: sessions past their expiry or ended a week ago (their
 * refresh tokens go with them, by cascade) and email tokens that expired or were used.
 * Idempotent: a second run finds nothing more to delete.
 */
export async function purgeExpired(db: Db, now: Date): Promise<PurgeResult> {
  const endedBefore = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  const sessions = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { revokedAt: { lt: endedBefore } }] },
  });
  const emailTokens = await db.emailToken.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { not: null } }] },
  });
  return { sessions: sessions.count, emailTokens: emailTokens.count };
}
