import type { Db } from "@lifeline/db";
import { downloadItemJob, downloadItemJobId, type JobProducer } from "@lifeline/queue";

/** Jobs added at once (each is one Redis round trip). */
const ENQUEUE_BATCH = 100;
/** Rows read at once when re-enqueueing an account's pending items. */
const SCAN_BATCH = 1000;

/** A download job per item, under this run (the job ids make a repeat add nothing). */
export async function enqueueDownloads(
  jobs: Pick<JobProducer, "enqueue">,
  runId: string,
  mediaItemIds: readonly string[],
): Promise<void> {
  for (let at = 0; at < mediaItemIds.length; at += ENQUEUE_BATCH) {
    await Promise.all(
      mediaItemIds
        .slice(at, at + ENQUEUE_BATCH)
        .map((mediaItemId) =>
          jobs.enqueue(
            downloadItemJob,
            { runId, mediaItemId },
            { jobId: downloadItemJobId(runId, mediaItemId) },
          ),
        ),
    );
  }
}

/**
 * Every item of the account still waiting for its bytes, enqueued under `runId`: an account
 * has at most one active run, so its pending items are that run's. Used when a page job
 * finds its page already checkpointed (it crashed after the commit, before enqueueing).
 */
export async function enqueuePendingOfAccount(
  db: Db,
  jobs: Pick<JobProducer, "enqueue">,
  runId: string,
  linkedAccountId: string,
): Promise<number> {
  let after: string | undefined;
  let count = 0;
  for (;;) {
    const rows = await db.mediaItem.findMany({
      where: { linkedAccountId, status: "pending", ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: "asc" },
      take: SCAN_BATCH,
    });
    if (!rows.length) return count;
    await enqueueDownloads(
      jobs,
      runId,
      rows.map((r) => r.id),
    );
    count += rows.length;
    after = rows.at(-1)?.id;
  }
}
