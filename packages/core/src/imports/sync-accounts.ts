import type { Db } from "@lifeline/db";
import type { Logger } from "@lifeline/logger";
import type { JobProducer } from "@lifeline/queue";

import { startImport } from "./start-import";

/** Accounts read at once. */
const BATCH = 500;

export interface SyncResult {
  started: number;
  /** Already had a run going (a manual import, or yesterday's still running). */
  running: number;
  failed: number;
}

/**
 * The daily sync (imports.sync-accounts): a new-items-only run (trigger schedule) for every
 * active linked account. An account that cannot start (its grant lapsed a moment ago) is
 * logged and skipped; the others go on.
 */
export async function syncLinkedAccounts(deps: {
  db: Db;
  jobs: Pick<JobProducer, "enqueue" | "queue">;
  logger: Pick<Logger, "warn">;
  now?: () => Date;
}): Promise<SyncResult> {
  const result: SyncResult = { started: 0, running: 0, failed: 0 };
  let after: string | undefined;
  for (;;) {
    const accounts = await deps.db.linkedAccount.findMany({
      where: {
        status: "active",
        accessTokenEnc: { not: null },
        ...(after ? { id: { gt: after } } : {}),
      },
      select: { id: true, userId: true },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (!accounts.length) return result;
    for (const account of accounts) {
      try {
        const { started } = await startImport(deps, account.userId, account.id, "schedule");
        if (started) result.started++;
        else result.running++;
      } catch (error) {
        result.failed++;
        deps.logger.warn(
          { err: error, linkedAccountId: account.id },
          "imports: the daily sync could not start for an account",
        );
      }
    }
    after = accounts.at(-1)?.id;
  }
}
