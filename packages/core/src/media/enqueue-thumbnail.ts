import type { Logger } from "@lifeline/logger";
import { makeThumbnailJob, type JobProducer } from "@lifeline/queue";

/** The thumbnail job of an item: one per item however often it is enqueued (BullMQ ids). */
export function thumbnailJobId(mediaItemId: string): string {
  return `media.thumbnail.${mediaItemId}`;
}

/**
 * Queues the thumbnail of a stored image, for uploads and imports alike. Call it after the
 * item's row is committed, so the job always finds it; the job id keeps it to one job. A
 * failure here does not undo the store: the item is kept, only its thumbnail waits
 * (`thumbnail: pending`), and the next upload or import of the same item enqueues again.
 */
export async function enqueueThumbnail(
  deps: { jobs: Pick<JobProducer, "enqueue">; logger: Pick<Logger, "warn"> },
  mediaItemId: string,
): Promise<void> {
  try {
    await deps.jobs.enqueue(
      makeThumbnailJob,
      { mediaItemId },
      { jobId: thumbnailJobId(mediaItemId) },
    );
  } catch (error) {
    deps.logger.warn(
      { err: error, mediaItemId },
      "media: could not enqueue the thumbnail job; the item stays pending",
    );
  }
}
