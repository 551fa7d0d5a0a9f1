import type { Db } from "@lifeline/db";

/** Deletes audit events older than `days` days. Idempotent. */
export async function deleteOldAuditEvents(db: Db, now: Date, days: number): Promise<number> {
  const before = new Date(now.getTime() - days * 24 * 3600 * 1000);
  const { count } = await db.auditEvent.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
