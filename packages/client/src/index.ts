export { DEFAULT_BATCH_MAX_ITEMS, type BatchOption } from "./batch";
export { createLifelineClient, type CreateLifelineClientOptions } from "./client";
export {
  isLifelineError,
  lifelineErrorCode,
  lifelineErrorReason,
  SessionExpiredError,
  type LifelineClientError,
  type LifelineErrorCode,
  type LifelineErrorReason,
  type LifelineServerError,
} from "./errors";
export type { HeadersOption } from "./headers";
export {
  DEFAULT_TOKEN_STORAGE_KEY,
  memoryTokenStore,
  webStorageTokenStore,
  type TokenPair,
  type TokenStore,
  type WebStorageLike,
} from "./token-store";
export type {
  AppRouter,
  LifelineClient,
  LifelineErrorData,
  LifelineErrorShape,
  RouterInputs,
  RouterOutputs,
} from "./types";
export {
  uploadMedia,
  type MediaItem,
  type UploadMediaOptions,
  type UploadProgress,
  type UploadTarget,
} from "./upload-media";
export { resolveTrpcUrl } from "./url";
export {
  ImportWaitTimeoutError,
  waitForImport,
  type ImportRun,
  type WaitForImportOptions,
} from "./wait-for-import";
