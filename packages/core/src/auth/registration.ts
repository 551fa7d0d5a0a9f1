import { isUniqueViolation } from "@lifeline/db";

import { writeAuditEvent } from "../audit/write-audit-event";
import { enqueueAccountEmail } from "../mail/enqueue-email";
import type { Credentials } from "./credentials";
import type { AccountDeps, ClientMeta } from "./deps";
import { normaliseEmail } from "./email";

/**
 * Registers an address without saying whether it was free: the caller gets the same answer
 * either way, and the mailbox learns the rest. A new address gets an account and the
 * verification email; a taken one gets nothing changed, and its owner an email saying that
 * someone tried. Both paths cost one bcrypt hash (a taken address's hash is thrown away), an
 * insert attempt, an audit row and an enqueue, so their timing does not tell them apart either.
 */
export async function register(
  deps: AccountDeps,
  input: Credentials,
  meta: ClientMeta,
): Promise<void> {
  const email = normaliseEmail(input.email);
  const passwordHash = await deps.passwords.hash(input.password);
  let created: { id: string } | null = null;
  try {
    created = await deps.db.user.create({ data: { email, passwordHash }, select: { id: true } });
  } catch (error) {
    // Taken, including by a registration racing this one.
    if (!isUniqueViolation(error, "email")) throw error;
  }
  if (created) {
    await writeAuditEvent(deps.db, { type: "register", userId: created.id, ip: meta.ip });
    await enqueueAccountEmail(deps, { template: "verify-email", userId: created.id });
    return;
  }
  const owner = await deps.db.user.findUnique({ where: { email }, select: { id: true } });
  if (!owner) return; // deleted in between: nobody to tell
  await writeAuditEvent(deps.db, { type: "registration_attempt", userId: owner.id, ip: meta.ip });
  await enqueueAccountEmail(deps, { template: "registration-attempt", userId: owner.id });
}
