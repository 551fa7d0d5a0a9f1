export { createLifelineClient, type CreateLifelineClientOptions } from "./client";
export {
  isLifelineError,
  lifelineErrorCode,
  SessionExpiredError,
  type LifelineClientError,
  type LifelineErrorCode,
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
  RouterInputs,
  RouterOutputs,
} from "./types";
export { resolveTrpcUrl } from "./url";
