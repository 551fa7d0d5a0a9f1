import { Readable } from "node:stream";

import type { Db } from "@lifeline/db";
import type { BlobStorage } from "@lifeline/storage";

import { withBlobLock } from "./blob-lock";
import { thumbnailKey } from "./derived-keys";
import { invalidateTimeline, type TimelineCache } from "./timeline-cache";
import { readBounded, StreamTooLargeError } from "./read-bounded";
import {
  ImageDecodeError,
  readImageDimensions,
  renderThumbnail,
  type ImageDimensions,
} from "./thumbnail-image";

// What the jobs app needs, from this one entry point (`@lifeline/core/thumbnails`), kept
// out of the package's main index so the API process never loads sharp's native library.
export {
  configureImageProcessing,
  ImageDecodeError,
  THUMBNAIL_MAX_INPUT_PIXELS,
  THUMBNAIL_QUALITY,
  THUMBNAIL_SIZE,
} from "./thumbnail-image";
export { thumbnailKey };

/**
 * The encoded image is read whole into memory (the decoder needs all of it at once, as sharp
 * would buffer a stream anyway): larger images are refused rather than held.
 */
export const THUMBNAIL_MAX_INPUT_BYTES = 256 * 1024 * 1024;
/** A 320×320 WebP at quality 70 is tens of KiB; this only bounds the write. */
const THUMBNAIL_MAX_BYTES = 8 * 1024 * 1024;

export interface ThumbnailDeps {
  db: Db;
  storage: BlobStorage;
  /** The owner's timeline is invalidated after every change to an item. */
  timeline: TimelineCache;
}

export type ThumbnailResult =
  /** Nothing to do: the item is gone, or its thumbnail is not pending (done, failed, none). */
  | { outcome: "skipped"; reason: "no-item" | "not-pending" }
  | { outcome: "ready"; width: number | null; height: number | null; reusedThumbnail: boolean }
  /** Recorded as `thumbnail: failed`; running again cannot help. */
  | { outcome: "failed"; reason: string };

/**
 * Makes an image item's thumbnail (`thumbnails/<sha256>.webp`, reused when another item with
 * the same bytes made it already), records the image's dimensions if the item lacks them,
 * and sets `thumbnail: ready`. Idempotent: only a `pending` item is touched.
 *
 * Bytes sharp cannot decode (corrupt, unsupported, over the pixel or size limits) mark the
 * item `failed` and return that outcome. Anything else (storage or database unavailable)
 * throws, so the job is retried. The thumbnail is written and the row updated under the
 * blob's lock, after checking the row still exists: the collector deletes a blob's derived
 * files under the same lock once no row references it, so no thumbnail is ever left behind
 * for a blob that is gone.
 */
export async function makeThumbnail(
  deps: ThumbnailDeps,
  mediaItemId: string,
  options: { signal?: AbortSignal } = {},
): Promise<ThumbnailResult> {
  const { db, storage } = deps;
  const item = await db.mediaItem.findUnique({ where: { id: mediaItemId } });
  if (!item) return { outcome: "skipped", reason: "no-item" };
  if (item.thumbnail !== "pending") return { outcome: "skipped", reason: "not-pending" };

  const fail = async (reason: string): Promise<ThumbnailResult> => {
    const { count } = await db.mediaItem.updateMany({
      where: { id: item.id, thumbnail: "pending" },
      data: { thumbnail: "failed" },
    });
    if (count > 0) await invalidateTimeline(deps.timeline, item.userId);
    return { outcome: "failed", reason };
  };
  if (item.kind !== "image" || !item.sha256) return fail(`not an image (${item.kind})`);
  if (item.sizeBytes !== null && item.sizeBytes > BigInt(THUMBNAIL_MAX_INPUT_BYTES)) {
    return fail(`larger than ${THUMBNAIL_MAX_INPUT_BYTES} bytes`);
  }
  const sha256 = item.sha256;
  const key = thumbnailKey(sha256);

  const hasThumbnail = await objectExists(storage, key);
  const hasDimensions = item.width !== null && item.height !== null;
  let dimensions: ImageDimensions | null = null;
  let webp: Buffer | null = null;
  if (!hasThumbnail || !hasDimensions) {
    const read = await storage.get(sha256);
    if (!read) {
      // Deleted since we looked (its blob collected after the row went)? Then nothing to do.
      if (!(await db.mediaItem.findUnique({ where: { id: item.id }, select: { id: true } }))) {
        return { outcome: "skipped", reason: "no-item" };
      }
      // A row pointing at a missing blob breaks the storage invariant: retry, then fail loudly.
      throw new Error(`blob ${sha256} of media item ${item.id} is missing`);
    }
    let input: Buffer;
    try {
      input = await readBounded(read.body, THUMBNAIL_MAX_INPUT_BYTES, options.signal);
    } catch (error) {
      if (error instanceof StreamTooLargeError) return fail(error.message);
      throw error;
    }
    try {
      dimensions = await readImageDimensions(input);
      if (!hasThumbnail) webp = await renderThumbnail(input);
    } catch (error) {
      if (error instanceof ImageDecodeError) return fail(error.message);
      throw error;
    }
  }

  options.signal?.throwIfAborted();
  type Locked =
    | { skipped: "no-item" | "not-pending" }
    | { row: { width: number | null; height: number | null } };
  const locked = await withBlobLock(db, sha256, async (tx): Promise<Locked> => {
    const current = await tx.mediaItem.findUnique({ where: { id: item.id } });
    if (!current) return { skipped: "no-item" };
    if (current.thumbnail !== "pending") return { skipped: "not-pending" };
    if (webp) {
      await storage.putObject(key, Readable.from([webp]), {
        maxBytes: THUMBNAIL_MAX_BYTES,
        signal: options.signal,
      });
    }
    const setDimensions = dimensions && (current.width === null || current.height === null);
    const row = await tx.mediaItem.update({
      where: { id: item.id },
      data: { thumbnail: "ready", ...(setDimensions ? dimensions : {}) },
      select: { width: true, height: true },
    });
    return { row };
  });
  if ("skipped" in locked) return { outcome: "skipped", reason: locked.skipped };
  await invalidateTimeline(deps.timeline, item.userId);
  return {
    outcome: "ready",
    width: locked.row.width,
    height: locked.row.height,
    reusedThumbnail: hasThumbnail,
  };
}

async function objectExists(storage: BlobStorage, key: string): Promise<boolean> {
  const read = await storage.getObject(key);
  read?.body.destroy();
  return read !== null;
}
