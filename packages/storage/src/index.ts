export type {
  BlobRead,
  BlobStorage,
  ByteRange,
  CommitExpectations,
  CommitResult,
  PutOptions,
  StorageDriverName,
  TempBlob,
} from "./blob-storage";
export {
  BlobIntegrityError,
  BlobNotFoundError,
  BlobRangeError,
  BlobStorageError,
  BlobTooLargeError,
  type IntegrityMismatch,
} from "./errors";
export { HEAD_BYTES } from "./meter";
export { blobKey, isSha256 } from "./keys";
export {
  createBlobStorage,
  createLocalBlobStorage,
  createS3BlobStorage,
  type StorageEnv,
} from "./create-blob-storage";
export { createS3Client, type S3BackendOptions, type S3Connection } from "./drivers/s3";
export type { StorageLogger } from "./content-store";
