/**
 * The one error domain code throws. Transports (tRPC, REST) map `code` to their own status;
 * domain code never imports tRPC.
 */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR";

/**
 * The application's own word for what went wrong, beside the transport code, where it helps
 * a client decide what to do next. Stable: clients branch on these strings.
 * - token_expired: the access token is past `exp`; refreshing helps.
 * - token_invalid: the access token is not one of ours (bad signature, claims or encoding);
 *   a refreshed token may help (e.g. after a signing-key rotation).
 * - session_ended: the token is fine but its session was revoked or expired; sign in again.
 * - credentials_invalid: wrong email or password, or an unusable refresh token.
 * - needs_relink: a provider grant is revoked or expired; the user must link again.
 * - retry_later: a transient failure (here or at a provider); the same call may work later.
 * - misconfigured: the server's own configuration is wrong; retrying will not help.
 * - email_unverified: the password was right, but REQUIRE_VERIFIED_EMAIL is on and the
 *   address is not verified yet; verify it (or ask for a new link) and sign in again.
 * - link_state_invalid: an account-linking callback's `state` is missing, unknown, expired,
 *   already used, or another user's; start linking again.
 * - link_cancelled: the user declined at the provider's consent screen.
 * - account_taken: that provider account is already linked to another Lifeline user.
 */
export const APP_ERROR_REASONS = [
  "token_expired",
  "token_invalid",
  "session_ended",
  "credentials_invalid",
  "needs_relink",
  "retry_later",
  "misconfigured",
  "email_unverified",
  "link_state_invalid",
  "link_cancelled",
  "account_taken",
] as const;

export type AppErrorReason = (typeof APP_ERROR_REASONS)[number];

export interface AppErrorDetail {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  code: AppErrorCode;
  message: string;
  reason?: AppErrorReason;
  /** Field-level problems, for validation-like errors. */
  details?: AppErrorDetail[];
  cause?: unknown;
  /** For TOO_MANY_REQUESTS and SERVICE_UNAVAILABLE: becomes the Retry-After header. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: AppErrorCode;
  readonly reason: AppErrorReason | undefined;
  readonly details: AppErrorDetail[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.reason = options.reason;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True for an AppError of `code` (and `reason`, when given). */
export function isAppError(
  error: unknown,
  code: AppErrorCode,
  reason?: AppErrorReason,
): error is AppError {
  return (
    error instanceof AppError &&
    error.code === code &&
    (reason === undefined || error.reason === reason)
  );
}
