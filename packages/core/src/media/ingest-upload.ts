import type { MediaItem } from "@lifeline/db";
import type { JobProducer } from "@lifeline/queue";

import type { BlobLockTx } from "./blob-lock";
import { enqueueThumbnail } from "./enqueue-thumbnail";
import {
  ingestMedia,
  type IngestInput,
  type IngestMediaDeps,
  type StoredFile,
} from "./ingest-media";

/** The media library's settings (MEDIA_MAX_BYTES). */
export interface MediaConfig {
  /** The largest file one upload may hold, in bytes. */
  maxUploadBytes: number;
}

export interface IngestDeps extends IngestMediaDeps {
  /** For the thumbnail job an image gets once it is stored. */
  jobs: JobProducer;
  /** The user's cached timeline reads (TimelineCache): a new item makes them stale. */
  timeline: { invalidate(userId: string): Promise<void> };
}

export interface UploadInput extends IngestInput {
  userId: string;
}

export interface IngestResult {
  item: MediaItem;
  /** False when this user already had these exact bytes: `item` is that earlier item. */
  created: boolean;
}

/**
 * Stores an uploaded file through the media library's one ingest path (ingestMedia) and
 * returns its item. Under the blob's lock, the user's existing item for the same bytes is
 * found (same user, same bytes: one item) or a new one is created. Afterwards a new item
 * makes the user's cached timeline stale, and an image gets its thumbnail job.
 */
export async function ingestUpload(deps: IngestDeps, input: UploadInput): Promise<IngestResult> {
  const result = await ingestMedia(deps, input, (tx, stored) =>
    findOrCreateUpload(tx, input.userId, stored),
  );
  if (result.created) await deps.timeline.invalidate(input.userId);
  // Also for an existing item still pending (an earlier enqueue may have failed).
  if (result.item.thumbnail === "pending") await enqueueThumbnail(deps, result.item.id);
  return result;
}

async function findOrCreateUpload(
  tx: BlobLockTx,
  userId: string,
  stored: StoredFile,
): Promise<IngestResult> {
  const existing = await tx.mediaItem.findUnique({
    where: { userId_uploadSha256: { userId, uploadSha256: stored.sha256 } },
  });
  if (existing) return { item: existing, created: false };
  const { type, metadata } = stored;
  const item = await tx.mediaItem.create({
    data: {
      userId,
      source: "upload",
      kind: type.kind,
      status: "stored",
      takenAt: metadata.takenAt,
      mime: type.mime,
      sizeBytes: BigInt(stored.size),
      sha256: stored.sha256,
      uploadSha256: stored.sha256,
      originalName: stored.originalName,
      width: metadata.width,
      height: metadata.height,
      durationMs: metadata.durationMs,
      // Images get a small WebP from the jobs app; other kinds have none (yet).
      thumbnail: type.kind === "image" ? "pending" : "none",
    },
  });
  return { item, created: true };
}
