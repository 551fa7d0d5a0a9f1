import { z } from "zod";

import { defineJob } from "../define-job";

const ZSha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a sha256 in hex" });

/** Makes the small WebP of an image item (sharp, in the jobs app) and records its dimensions. */
export const makeThumbnailJob = defineJob({
  name: "media.thumbnail",
  queue: "media",
  payload: z.object({ mediaItemId: z.uuid() }),
});

/**
 * Deletes a blob (and what was derived from it) if no item references it any more. Runs
 * under the blob's lock, the one ingest holds while it references a blob, so an upload of
 * the same bytes can never end up pointing at a deleted blob.
 */
export const collectBlobJob = defineJob({
  name: "media.collect-blob",
  queue: "media",
  payload: z.object({ sha256: ZSha256 }),
});

/**
 * The daily media clean-up: blobs no item references (older than an hour; each deleted
 * under its lock, as collectBlobJob does) and temps of uploads that never finished.
 */
export const sweepMediaJob = defineJob({
  name: "media.sweep",
  queue: "media",
  payload: z.object({}),
});
