import { configureImageProcessing, makeThumbnail } from "@lifeline/core/thumbnails";
import { makeThumbnailJob } from "@lifeline/queue";
import { UnrecoverableError } from "bullmq";

import { handle, type JobHandler } from "../handler";

/**
 * makeThumbnailJob: the image's small WebP and its dimensions (see makeThumbnail). Bytes that
 * cannot be decoded mark the item `thumbnail: failed` and fail the job for good
 * (UnrecoverableError: the same bytes will never decode); storage or database errors throw
 * as they are, so BullMQ retries them with the job's backoff.
 *
 * `concurrency` is the media queue's: sharp's thread pool is sized so that many thumbnails
 * at once share the machine's cores (configureImageProcessing), once, when the worker is built.
 */
export function makeThumbnailHandler(concurrency: number): JobHandler {
  configureImageProcessing(concurrency);
  return handle(makeThumbnailJob, async ({ mediaItemId }, { deps, signal, logger }) => {
    const result = await makeThumbnail(
      { db: deps.db, storage: deps.storage, timeline: deps.timeline },
      mediaItemId,
      { signal },
    );
    if (result.outcome === "failed") {
      logger.warn({ mediaItemId, reason: result.reason }, "image cannot be thumbnailed");
      throw new UnrecoverableError(`thumbnail failed: ${result.reason}`);
    }
    logger.info({ mediaItemId, ...result }, "thumbnail");
    return result;
  });
}
