import { normaliseEmail, writeAuditEvent, type UserRole } from "@lifeline/core";
import type { Db } from "@lifeline/db";

/** No account has this email: said plainly, since the operator probably mistyped it. */
export class UnknownUserError extends Error {
  override name = "UnknownUserError";
  constructor(readonly email: string) {
    super(`no user has the email ${email}`);
  }
}

export interface RoleChange {
  email: string;
  userId: string;
  role: UserRole;
  /** False when the user already had the role (nothing written, nothing audited). */
  changed: boolean;
}

/**
 * Sets a user's role, found by email, and audits the change (`admin_granted` or
 * `admin_revoked`, with who ran it) in the same transaction. The next request of each of the
 * user's sessions sees the new role: it is read with the session check.
 */
export async function setUserRole(
  db: Db,
  email: string,
  role: UserRole,
  actor: { via: string; osUser: string | null },
): Promise<RoleChange> {
  const normalised = normaliseEmail(email);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { email: normalised },
      select: { id: true, role: true },
    });
    if (!user) throw new UnknownUserError(normalised);
    const result = { email: normalised, userId: user.id, role };
    if (user.role === role) return { ...result, changed: false };
    await tx.user.update({ where: { id: user.id }, data: { role } });
    await writeAuditEvent(tx, {
      type: role === "admin" ? "admin_granted" : "admin_revoked",
      userId: user.id,
      data: { from: user.role, to: role, via: actor.via, osUser: actor.osUser },
    });
    return { ...result, changed: true };
  });
}
