export { blobLockKey, withBlobLock, type BlobLockOptions, type BlobLockTx } from "./blob-lock";
export { collectBlob, type CollectDeps } from "./collect-blob";
export { derivedKeys, thumbnailKey } from "./derived-keys";
export {
  ingestMedia,
  type IngestInput,
  type IngestMediaDeps,
  type StoredFile,
} from "./ingest-media";
export { enqueueThumbnail, thumbnailJobId } from "./enqueue-thumbnail";
export {
  ingestUpload,
  type IngestDeps,
  type IngestResult,
  type MediaConfig,
  type UploadInput,
} from "./ingest-upload";
export { ACCEPTED_TYPES_TEXT, detectMediaType, type MediaType } from "./media-types";
export { sweepMedia, type SweepDeps, type SweepOptions, type SweepResult } from "./sweep-media";
