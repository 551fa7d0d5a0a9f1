import { collectBlob, sweepMedia } from "@lifeline/core";
import { collectBlobJob, sweepMediaJob } from "@lifeline/queue";

import { handle, type JobHandler } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";
import { makeThumbnailHandler } from "./make-thumbnail";

/**
 * Blob collection: the jobs that remove media bytes no item references any more. Both
 * follow the blob lock protocol (packages/core/src/media/blob-lock.ts) and are idempotent.
 */
const collectionHandlers: JobHandler[] = [
  // Enqueued by media.delete after the row is gone: the blob and its thumbnail go too,
  // unless another item (another user's, or a re-upload meanwhile) references the bytes.
  handle(collectBlobJob, async ({ sha256 }, { deps, logger }) => {
    const result = await collectBlob(deps, sha256);
    logger.info({ sha256, ...result }, result.deleted ? "blob collected" : "blob still referenced");
    return result;
  }),
  // Daily (SCHEDULES): orphans a lost collection job or a failed ingest left, stale temps.
  handle(sweepMediaJob, async (_payload, { deps, logger }) => {
    const result = await sweepMedia(deps);
    logger.info(result, "media storage swept");
    return result;
  }),
];

/** The media queue: thumbnails and blob collection, JOBS_CONCURRENCY_MEDIA at a time. */
export function mediaWorker(concurrency: number): QueueWorkerSpec {
  return {
    queue: "media",
    concurrency,
    // Thumbnails (sharp, in this app only): its thread pool is sized for this concurrency.
    handlers: [makeThumbnailHandler(concurrency), ...collectionHandlers],
  };
}
