export {
  decryptAccountTokens,
  encryptAccountTokens,
  type AccountTokenColumns,
} from "./account-tokens";
export { completeLink, type CompletedLink, type CompleteLinkInput } from "./complete-link";
export {
  appErrorForProviderError,
  LinkRefusedError,
  refusalForProviderError,
  type LinkRefusalReason,
} from "./link-refusal";
export {
  linkedAccountViewSelect,
  toLinkedAccountView,
  type LinkedAccountView,
  type LinkedAccountViewRow,
} from "./linked-account-view";
export type { LinkingDeps, LinkRequestMeta } from "./linking-deps";
export { LINKED_ACCOUNTS_MAX, listLinkedAccounts } from "./list-accounts";
export {
  createOAuthStateStore,
  OAUTH_STATE_TTL_SECONDS,
  type OAuthStateRedis,
  type OAuthStateStore,
  type OAuthStateStoreOptions,
  type PendingLink,
  type StateLookup,
  type StateLookupFailure,
} from "./oauth-states";
export {
  PROVIDER_NAMES,
  providerAvailability,
  type ProviderAvailability,
} from "./provider-availability";
export { providersFromEnv } from "./providers-from-env";
export { startLink, type StartedLink, type StartLinkInput } from "./start-link";
export {
  linkedAccountNotFound,
  unlinkAccount,
  type ProviderRevocation,
  type UnlinkResult,
} from "./unlink-account";
// The provider vocabulary the API and the server need (they do not import the providers package).
export {
  isProviderId,
  PROVIDER_IDS,
  type ProviderId,
  type ProviderRegistry,
  type ProvidersEnv,
} from "@lifeline/providers";
