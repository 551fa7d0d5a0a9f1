export {
  APP_ERROR_REASONS,
  AppError,
  isAppError,
  type AppErrorCode,
  type AppErrorDetail,
  type AppErrorOptions,
  type AppErrorReason,
} from "./errors/app-error";
export {
  writeAuditEvent,
  type AuditEventInput,
  type AuditEventType,
} from "./audit/write-audit-event";
export {
  createAccessTokens,
  ISSUED_AT_SKEW_SECONDS,
  type AccessTokenClaims,
  type AccessTokenConfig,
  type AccessTokens,
} from "./auth/access-tokens";
export { authenticate, type Authenticated } from "./auth/authenticate";
export { changePassword, login, logoutAll, type Credentials } from "./auth/credentials";
export { register } from "./auth/registration";
export { resendVerification, verifyEmail } from "./auth/email-verification";
export { requestPasswordReset, resetPassword } from "./auth/password-reset";
export {
  consumeEmailToken,
  emailTokenForJob,
  hashEmailToken,
  issueEmailToken,
  type EmailTokenPurpose,
  type IssuedEmailToken,
} from "./auth/email-tokens";
export type { AccountDeps, AuthConfig, AuthDeps, ClientMeta } from "./auth/deps";
export { normaliseEmail } from "./auth/email";
export {
  fitsBcrypt,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_BYTES,
  passwordByteLength,
} from "./auth/password";
export {
  createPasswordHasher,
  DEFAULT_PASSWORD_QUEUE_MAX,
  defaultPasswordWorkers,
  type PasswordHasher,
  type PasswordHasherOptions,
} from "./auth/password-hasher";
export { toPublicUser, type PublicUser, type UserRole } from "./auth/public-user";
export { hashRefreshToken } from "./auth/refresh-token";
export {
  listSessions,
  logout,
  refreshSession,
  revokeSession,
  type SessionView,
} from "./auth/sessions";
export {
  ACCESS_TOKEN_ALG,
  generateSigningJwk,
  loadSigningKeys,
  type SigningKey,
} from "./auth/signing-keys";
export type { TokenPair } from "./auth/token-pair";
export { purgeExpired, type PurgeResult } from "./maintenance/purge-expired";
export { deleteOldAuditEvents } from "./maintenance/audit-retention";
export {
  createMailer,
  MailRejectedError,
  type Mailer,
  type MailerOptions,
  type OutgoingEmail,
  type SentEmail,
} from "./mail/mailer";
export {
  composeEmail,
  frontendLink,
  type ComposedEmail,
  type ComposeEmailDeps,
  type NothingToSend,
} from "./mail/compose-email";
export { enqueueAccountEmail, enqueueEmail } from "./mail/enqueue-email";
export { escapeHtml, type RenderedEmail } from "./mail/templates/layout";
export * from "./media";
export {
  hasContent,
  mediaContentPath,
  mediaItemViewSelect,
  mediaThumbnailPath,
  toMediaItemView,
  type MediaItemView,
  type MediaItemViewRow,
} from "./media/media-item-view";
export {
  listMedia,
  type ListMediaDeps,
  type ListMediaQuery,
  type MediaPage,
} from "./media/list-media";
export { mediaBuckets, type MediaBucket, type MediaBuckets } from "./media/media-buckets";
export {
  findMediaContent,
  getMediaItem,
  mediaNotFound,
  type MediaContentRow,
} from "./media/get-media";
export { deleteMediaItem, type DeleteMediaDeps } from "./media/delete-media";
export {
  createTimelineCache,
  invalidateTimeline,
  type TimelineCache,
  type TimelineCacheOptions,
  type TimelineCacheRedis,
} from "./media/timeline-cache";
export { parseTimelineFilters, type TimelineFilters } from "./media/timeline-filters";
export {
  createTokenCipher,
  generateCipherKey,
  parseCipherKeys,
  TokenDecryptionError,
  type CipherKey,
  type TokenCipher,
} from "./crypto/token-cipher";
export { tokenCipherFromEnv } from "./crypto/token-cipher-from-env";
// Linking, listing and unlinking provider accounts; tokens at rest.
export * from "./accounts";
export * from "./accounts/refresh";
// Imports of linked accounts: runs, page and download jobs, provider limits.
export * from "./imports";
