import { writeAuditEvent } from "../audit/write-audit-event";
import { enqueueAccountEmail } from "../mail/enqueue-email";
import { clock, type AccountDeps, type AuthDeps, type ClientMeta } from "./deps";
import { normaliseEmail } from "./email";
import { consumeEmailToken, unusableLink } from "./email-tokens";

/** Marks the address verified with the emailed token; the token is spent. */
export async function verifyEmail(
  deps: Pick<AuthDeps, "db" | "now">,
  token: string,
  meta: ClientMeta,
): Promise<void> {
  const now = clock(deps);
  const userId = await deps.db.$transaction(async (tx) => {
    const owner = await consumeEmailToken(tx, { token, purpose: "verify_email", now });
    if (!owner) return null;
    // A second verification link (a resend) still works, and changes nothing.
    await tx.user.updateMany({
      where: { id: owner, emailVerifiedAt: null },
      data: { emailVerifiedAt: now },
    });
    return owner;
  });
  if (!userId) throw unusableLink();
  await writeAuditEvent(deps.db, { type: "email_verified", userId, ip: meta.ip });
}

/**
 * Sends the verification link again, when the address belongs to an account that is not
 * verified yet; otherwise does nothing. The caller answers the same either way.
 */
export async function resendVerification(
  deps: Pick<AccountDeps, "db" | "jobs" | "mailGate">,
  email: string,
): Promise<void> {
  const user = await deps.db.user.findUnique({
    where: { email: normaliseEmail(email) },
    select: { id: true, emailVerifiedAt: true },
  });
  if (!user || user.emailVerifiedAt) return;
  await enqueueAccountEmail(deps, { template: "verify-email", userId: user.id });
}
