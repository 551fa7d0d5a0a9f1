export {
  createAccountLocks,
  type AccountLocks,
  type AccountLocksOptions,
  type LockRedis,
  type LockResult,
} from "./account-lock";
export type { RefreshDeps, RefreshTrigger } from "./deps";
export { dueAccountPages, dueWhere, DUE_PAGE_SIZE, type DueAccount } from "./due-accounts";
export { ensureFreshAccess, renewAccess } from "./ensure-fresh-access";
export { refreshingAccountAccess } from "./account-access";
export {
  cannotRefresh,
  DEFAULT_REFRESH_POLICY,
  dueAction,
  SWEEP_INTERVAL_MS,
  type DueAction,
  type DueFacts,
  type RefreshPolicy,
} from "./policy";
export {
  refreshOwnAccount,
  type OwnRefreshOutcome,
  type OwnRefreshResult,
} from "./refresh-own-account";
export { reencryptAccountTokens, type ReencryptResult } from "./reencrypt-tokens";
export { refreshLinkedAccount, type RefreshOptions, type RefreshOutcome } from "./refresh-account";
