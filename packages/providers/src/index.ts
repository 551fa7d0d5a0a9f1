export {
  PROVIDER_IDS,
  isProviderId,
  type AccountAccess,
  type AuthorizeUrlInput,
  type DownloadRef,
  type ExchangeCodeInput,
  type MediaDownload,
  type MediaItem,
  type MediaKind,
  type MediaPage,
  type Provider,
  type ProviderId,
  type ProviderProfile,
  type RefreshStyle,
  type TokenSet,
} from "./provider";
export {
  PROVIDER_ERROR_CODES,
  ProviderError,
  isProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
} from "./errors";
export {
  callbackUrl,
  defaultProvidersConfig,
  pointAt,
  providersConfigFromEnv,
  standinCredentials,
  type Credentials,
  type FacebookConfig,
  type GoogleConfig,
  type InstagramConfig,
  type LinkedInConfig,
  type MicrosoftConfig,
  type ProvidersConfig,
  type ProvidersEnv,
  type XConfig,
} from "./config";
export { createProviderRegistry, type ProviderRegistry, type RegistryOptions } from "./registry";
export type { ProviderLogger } from "./http/client";
export { redactUrl } from "./http/redact";
export { createOAuthState, createPkcePair, pkceChallenge, type PkcePair } from "./oauth/pkce";
export { parseCallback, type CallbackResult } from "./oauth/callback";
export { splitScopes } from "./oauth/scopes";
