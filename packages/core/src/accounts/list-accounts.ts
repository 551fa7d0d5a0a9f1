import type { Db } from "@lifeline/db";

import {
  linkedAccountViewSelect,
  toLinkedAccountView,
  type LinkedAccountView,
} from "./linked-account-view";

/** At most this many rows per user: six providers, a few accounts each. */
export const LINKED_ACCOUNTS_MAX = 100;

/**
 * The caller's linked accounts (active or needing a re-link; unlinked ones are gone from
 * the list, their media stay in the timeline), by provider then age.
 */
export async function listLinkedAccounts(
  db: Pick<Db, "linkedAccount">,
  userId: string,
): Promise<LinkedAccountView[]> {
  const rows = await db.linkedAccount.findMany({
    where: { userId, status: { not: "revoked" } },
    select: linkedAccountViewSelect,
    orderBy: [{ provider: "asc" }, { createdAt: "asc" }],
    take: LINKED_ACCOUNTS_MAX,
  });
  return rows.map(toLinkedAccountView);
}
