export { AppError, type AppErrorCode, type AppErrorDetail } from "./errors/app-error";
export {
  writeAuditEvent,
  type AuditEventInput,
  type AuditEventType,
} from "./audit/write-audit-event";
export {
  createAccessTokens,
  type AccessTokenClaims,
  type AccessTokenConfig,
  type AccessTokens,
} from "./auth/access-tokens";
export { authenticate, type Authenticated } from "./auth/authenticate";
export { changePassword, login, logoutAll, register, type Credentials } from "./auth/credentials";
export type { AuthConfig, AuthDeps, ClientMeta } from "./auth/deps";
export { normaliseEmail } from "./auth/email";
export { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordByteLength } from "./auth/password";
export { toPublicUser, type PublicUser } from "./auth/public-user";
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
