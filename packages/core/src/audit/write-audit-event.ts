import type { Db, Prisma } from "@lifeline/db";

export type AuditEventType =
  | "register"
  | "registration_attempt"
  | "email_verified"
  | "password_reset"
  | "login"
  | "login_failed"
  | "logout"
  | "logout_all"
  | "refresh_reuse"
  | "session_revoked"
  | "password_changed"
  | "account_locked"
  // Admin actions: on a job (data: queue, jobId, jobName), and on a role (pnpm admin:grant).
  | "admin_job_retried"
  | "admin_job_removed"
  | "admin_granted"
  | "admin_revoked"
  // Linked accounts (data: provider, linkedAccountId; refusals a reason, never a token or code).
  | "account_link_started"
  | "account_linked"
  | "account_link_refused"
  | "account_unlinked"
  // Token refresh: a provider refused the grant (revoked, expired); the owner must link again.
  | "account_needs_reauth";

export interface AuditEventInput {
  type: AuditEventType;
  userId?: string | null;
  ip?: string | null;
  data?: Prisma.InputJsonObject;
}

type AuditWriter = Pick<Db, "auditEvent">;

/** Appends one audit event. Data must never hold secrets (tokens, passwords). */
export async function writeAuditEvent(db: AuditWriter, event: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      type: event.type,
      userId: event.userId ?? null,
      ip: event.ip ?? null,
      data: event.data ?? {},
    },
  });
}
