import type { Db } from "@lifeline/db";
import type { RequestLogger } from "@lifeline/logger";
import { collectBlobJob, type JobProducer } from "@lifeline/queue";

import { mediaNotFound } from "./get-media";
import type { TimelineCache } from "./timeline-cache";

export interface DeleteMediaDeps {
  db: Db;
  jobs: JobProducer;
  timeline: TimelineCache;
  logger: RequestLogger;
}

/**
 * Deletes one of the user's items (NOT_FOUND for any other id, as media.get). The blob lock
 * protocol (media brief): the row goes first, in its own statement, and only then is the
 * blob's collection enqueued; the collector (jobs app) deletes the blob under the blob's lock
 * if no row references it any more. So a crash between the two steps leaves an orphan blob
 * (harmless, for a later sweep), never a row pointing at a missing blob.
 */
export async function deleteMediaItem(
  deps: DeleteMediaDeps,
  userId: string,
  id: string,
): Promise<void> {
  const deleted = await deps.db.$queryRaw<{ sha256: string | null }[]>`
    DELETE FROM media_items WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
    RETURNING sha256`;
  const row = deleted[0];
  if (!row) throw mediaNotFound();

  await deps.timeline.invalidate(userId);
  if (row.sha256 === null) return;
  try {
    // One job per deleted item: a job id per blob would be swallowed by a completed job of an
    // earlier delete of the same bytes (BullMQ keeps completed ids for a day).
    await deps.jobs.enqueue(collectBlobJob, { sha256: row.sha256 }, { jobId: `collect-${id}` });
  } catch (error) {
    // The item is gone, which is what the user asked for; only the bytes stay behind.
    deps.logger.error(
      { err: error, mediaItemId: id, sha256: row.sha256 },
      "media.delete: could not enqueue the blob's collection; it stays until a sweep",
    );
  }
}
