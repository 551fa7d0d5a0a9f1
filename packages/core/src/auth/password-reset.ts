import { writeAuditEvent } from "../audit/write-audit-event";
import { enqueueAccountEmail } from "../mail/enqueue-email";
import { clock, type AccountDeps, type AuthDeps, type ClientMeta } from "./deps";
import { normaliseEmail } from "./email";
import { consumeEmailToken, isEmailTokenUsable, unusableLink } from "./email-tokens";

/**
 * Asks for a reset link. The address is not looked up here: the job carries it, and the
 * jobs app decides whether there is anyone to write to. So the answer, and its time, are the
 * same for an address with an account and one without.
 */
export async function requestPasswordReset(
  deps: Pick<AccountDeps, "jobs" | "mailGate">,
  email: string,
): Promise<void> {
  await enqueueAccountEmail(deps, { template: "password-reset", email: normaliseEmail(email) });
}

/**
 * Sets a new password with the emailed token, which is spent. Proving the mailbox also
 * verifies the address. Every session ends (whoever knew the old password is signed out);
 * other reset links still out there stop working. Returns the account's email, so the
 * caller can clear its login lockout.
 */
export async function resetPassword(
  deps: Pick<AuthDeps, "db" | "passwords" | "now">,
  input: { token: string; newPassword: string },
  meta: ClientMeta,
): Promise<{ email: string; revokedSessions: number }> {
  const purpose = "reset_password";
  // Checked before hashing, so a dead link costs no bcrypt; spent atomically below.
  if (!(await isEmailTokenUsable(deps.db, { token: input.token, purpose, now: clock(deps) })))
    throw unusableLink();
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const now = clock(deps);
  const done = await deps.db.$transaction(async (tx) => {
    const userId = await consumeEmailToken(tx, { token: input.token, purpose, now });
    if (!userId) return null; // used by a concurrent call since the check
    const user = await tx.user.findUniqueOrThrow({
      where: { id: userId },
      select: { email: true, emailVerifiedAt: true },
    });
    await tx.user.update({
      where: { id: userId },
      data: { passwordHash, ...(user.emailVerifiedAt ? {} : { emailVerifiedAt: now }) },
    });
    await tx.emailToken.updateMany({
      where: { userId, purpose, usedAt: null },
      data: { usedAt: now },
    });
    const { count } = await tx.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: now, revokedReason: "password_reset" },
    });
    return { userId, email: user.email, revokedSessions: count };
  });
  if (!done) throw unusableLink();
  await writeAuditEvent(deps.db, {
    type: "password_reset",
    userId: done.userId,
    ip: meta.ip,
    data: { revokedSessions: done.revokedSessions },
  });
  return { email: done.email, revokedSessions: done.revokedSessions };
}
