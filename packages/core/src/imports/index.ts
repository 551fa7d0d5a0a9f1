export type { AccountAccessSource } from "./account-access";
export {
  classifyFailure,
  DEFAULT_RATE_LIMIT_PAUSE_MS,
  type ImportFailure,
} from "./classify-failure";
export { downloadItem, type DownloadContext, type DownloadJobInput } from "./download-item";
export type { ImportDeps, ImportJobOutcome } from "./import-deps";
export { importPage, type JobAttempt, type PageJobInput } from "./import-page";
export { toImportRunView, type ImportRunView } from "./import-run-view";
export { leafItems, type LeafItem } from "./leaf-items";
export {
  createProviderLimits,
  type AccountSlot,
  type LimitsRedis,
  type ProviderLimits,
  type ProviderLimitsOptions,
} from "./provider-limits";
export {
  getImportRun,
  listImportRuns,
  type ImportRunPage,
  type ListImportsQuery,
} from "./read-imports";
export { recordRunError, RUN_ERRORS_KEPT, type RunErrorEntry } from "./run-state";
export { startImport, type StartedImport, type StartImportDeps } from "./start-import";
export { syncLinkedAccounts, type SyncResult } from "./sync-accounts";
