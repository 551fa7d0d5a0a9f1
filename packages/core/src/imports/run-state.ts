import type { Db, Prisma } from "@lifeline/db";

type Client = Db | Prisma.TransactionClient;

/** The run's error list keeps this many entries, newest first. */
export const RUN_ERRORS_KEPT = 50;

/** One entry of a run's error list: what failed, in the provider's words, never a secret. */
export interface RunErrorEntry {
  /** The media item (or null for the listing). */
  itemId: string | null;
  /** The provider's item id, to find it there. */
  providerItemId: string | null;
  code: string;
  reason: string;
  at: string;
}

/**
 * Prepends `entry` to the run's error list and keeps the newest RUN_ERRORS_KEPT, in one
 * statement (concurrent downloads of one run append without losing each other's entries).
 */
export async function recordRunError(
  client: Client,
  runId: string,
  entry: RunErrorEntry,
): Promise<void> {
  const json = JSON.stringify({ ...entry, reason: entry.reason.slice(0, 500) });
  await client.$executeRaw`
    UPDATE import_runs SET errors = (
      SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) FROM (
        SELECT e, i FROM jsonb_array_elements(jsonb_build_array(${json}::jsonb) || errors)
          WITH ORDINALITY AS t(e, i)
        ORDER BY i LIMIT ${RUN_ERRORS_KEPT}
      ) kept
    ), updated_at = now()
    WHERE id = ${runId}::uuid`;
}

/**
 * Completes the run once its listing is done and no item waits for its bytes; the account's
 * lastSyncedAt becomes the run's start (items posted while it ran are picked up next time).
 * Idempotent: resolves to true only for the call that completed it.
 */
export async function completeRunIfDone(db: Db, runId: string, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const done = await tx.$queryRaw<{ linked_account_id: string; started_at: Date | null }[]>`
      UPDATE import_runs
      SET status = 'completed', active_for = NULL, finished_at = ${now}, updated_at = now()
      WHERE id = ${runId}::uuid AND status = 'running' AND listing_done AND items_pending <= 0
      RETURNING linked_account_id, started_at`;
    const row = done[0];
    if (!row) return false;
    await tx.linkedAccount.update({
      where: { id: row.linked_account_id },
      data: { lastSyncedAt: row.started_at ?? now },
    });
    return true;
  });
}

/** Why a whole run stopped: the AppError reason words clients already branch on. */
export type RunFailureCode = "needs_relink" | "retry_later" | "misconfigured";

/**
 * Ends the run as failed (the account may start another at once). Items still waiting for
 * their bytes stay pending: the account's next run takes them over.
 */
export async function failRun(
  db: Db,
  runId: string,
  code: RunFailureCode,
  message: string,
  now: Date,
): Promise<boolean> {
  const failed = await db.importRun.updateMany({
    where: { id: runId, status: { in: ["queued", "running"] } },
    data: {
      status: "failed",
      activeFor: null,
      finishedAt: now,
      error: `${code}: ${message}`.slice(0, 500),
    },
  });
  return failed.count > 0;
}
