import type { Readable } from "node:stream";

import type { Db, MediaItem } from "@lifeline/db";
import type { Logger } from "@lifeline/logger";
import { makeThumbnailJob, type JobProducer } from "@lifeline/queue";
import { BlobTooLargeError, type BlobStorage, type TempBlob } from "@lifeline/storage";

import { AppError } from "../errors/app-error";
import { withBlobLock } from "./blob-lock";
import { inspectUpload, type InspectedUpload } from "./inspect-upload";

/** The media library's settings (MEDIA_MAX_BYTES). */
export interface MediaConfig {
  /** The largest file one upload may hold, in bytes. */
  maxUploadBytes: number;
}

export interface IngestDeps {
  db: Db;
  storage: BlobStorage;
  /** For the thumbnail job an image gets once it is stored. */
  jobs: JobProducer;
  /** Only for what cannot fail the upload (a leftover temp, a thumbnail job not enqueued). */
  logger: Pick<Logger, "warn">;
  /** The user's cached timeline reads (TimelineCache): a new item makes them stale. */
  timeline: { invalidate(userId: string): Promise<void> };
  now?: () => Date;
}

export interface UploadInput {
  userId: string;
  /** The file's bytes, streamed: never held in memory (only the first 256 KiB are kept). */
  body: Readable;
  /** The name the client gave the file, if any (kept for display, checked against the bytes). */
  fileName?: string | null | undefined;
  /** The Content-Type the client declared for the file, if any (checked against the bytes). */
  declaredType?: string | null | undefined;
  /** MEDIA_MAX_BYTES: one byte more is PAYLOAD_TOO_LARGE. */
  maxBytes: number;
  signal?: AbortSignal | undefined;
  /**
   * Settles once the transport has seen the whole request intact (a multipart form's
   * closing boundary, after the file). A rejection refuses the upload with that error,
   * before anything is committed: a file from a truncated request is never stored.
   */
  complete?: Promise<void> | undefined;
}

export interface IngestResult {
  item: MediaItem;
  /** False when this user already had these exact bytes: `item` is that earlier item. */
  created: boolean;
}

/** The thumbnail job of an item: one per item however often it is enqueued (BullMQ ids). */
export function thumbnailJobId(mediaItemId: string): string {
  return `media.thumbnail.${mediaItemId}`;
}

function tooLarge(limit: number): AppError {
  return new AppError({
    code: "PAYLOAD_TOO_LARGE",
    message: `The file is larger than the limit of ${limit} bytes`,
    details: [{ path: "file", message: `must be at most ${limit} bytes` }],
  });
}

/**
 * Stores an uploaded file in the media library and returns its item (uploads now; provider
 * imports stream their downloads through the same path).
 *
 * 1. The bytes stream into a temp object while being hashed and counted (storage.putTemp);
 *    more than `maxBytes` stops the stream there: PAYLOAD_TOO_LARGE.
 * 2. The first 256 KiB decide the rest (inspectUpload): empty, a type not on the allow-list,
 *    or a name or declared type of another kind than the bytes are refused; metadata is read.
 * 3. Under the blob's lock (withBlobLock), the temp is committed to its content address,
 *    then the user's item for those bytes is found or created: the row only ever appears
 *    once its blob is verified in place, and never while a collector is deleting that blob.
 * 4. A new item makes the user's cached timeline stale; a new image gets
 *    `thumbnail: pending` and its thumbnail job.
 *
 * Every refusal and failure removes the temp: no blob and no row remain. A failure after the
 * commit (the row insert, say) can leave the blob without a row, which the orphan sweep
 * collects; never a row without a blob.
 */
export async function ingestUpload(deps: IngestDeps, input: UploadInput): Promise<IngestResult> {
  const uploadedAt = (deps.now ?? (() => new Date()))();
  let temp: TempBlob;
  try {
    temp = await deps.storage.putTemp(input.body, {
      maxBytes: input.maxBytes,
      signal: input.signal,
    });
  } catch (error) {
    // putTemp removed its partial temp already; the body's own failures (a client that went
    // away, a truncated form) are for the caller to name.
    if (error instanceof BlobTooLargeError) throw tooLarge(error.limit);
    throw error;
  }

  // An object, not a `let`: it is set inside the locked callback, out of the compiler's sight.
  const progress = { committed: false };
  try {
    await input.complete;
    const inspected = await inspectUpload(temp, input, uploadedAt);
    const result = await withBlobLock(deps.db, temp.sha256, async (tx) => {
      await deps.storage.commit(temp.tempKey, temp.sha256, { expectedSize: temp.size });
      progress.committed = true;
      const existing = await tx.mediaItem.findUnique({
        where: { userId_uploadSha256: { userId: input.userId, uploadSha256: temp.sha256 } },
      });
      if (existing) return { item: existing, created: false };
      const item = await tx.mediaItem.create({ data: rowFor(input.userId, temp, inspected) });
      return { item, created: true };
    });
    if (result.created) await deps.timeline.invalidate(input.userId);
    await enqueueThumbnail(deps, result.item);
    return result;
  } finally {
    if (!progress.committed) {
      await deps.storage.discard(temp.tempKey).catch((error: unknown) => {
        deps.logger.warn(
          { err: error },
          "media: could not remove a refused upload's temp; sweepTemp will",
        );
      });
    }
  }
}

function rowFor(userId: string, temp: TempBlob, inspected: InspectedUpload) {
  const { type, metadata, originalName } = inspected;
  return {
    userId,
    source: "upload" as const,
    kind: type.kind,
    status: "stored" as const,
    takenAt: metadata.takenAt,
    mime: type.mime,
    sizeBytes: BigInt(temp.size),
    sha256: temp.sha256,
    uploadSha256: temp.sha256,
    originalName,
    width: metadata.width,
    height: metadata.height,
    durationMs: metadata.durationMs,
    // Images get a small WebP from the jobs app; other kinds have none (yet).
    thumbnail: type.kind === "image" ? ("pending" as const) : ("none" as const),
  };
}

/**
 * After the commit, so the job always finds its row. Also for an existing item still
 * pending (an earlier enqueue may have failed): the job id keeps it to one job. A failure
 * here does not fail the upload: the item is stored, only its thumbnail waits.
 */
async function enqueueThumbnail(deps: IngestDeps, item: MediaItem): Promise<void> {
  if (item.thumbnail !== "pending") return;
  try {
    await deps.jobs.enqueue(
      makeThumbnailJob,
      { mediaItemId: item.id },
      { jobId: thumbnailJobId(item.id) },
    );
  } catch (error) {
    deps.logger.warn(
      { err: error, mediaItemId: item.id },
      "media: could not enqueue the thumbnail job; the item stays pending",
    );
  }
}
