import { TRPCClientError } from "@trpc/client";

import type { AppRouter, LifelineErrorData } from "./types";

/** The error every call of a Lifeline client rejects with. */
export type LifelineClientError = TRPCClientError<AppRouter>;

/** A tRPC error code as the server sends it in `data.code`, e.g. "BAD_REQUEST". */
export type LifelineErrorCode = LifelineErrorData["code"];

/**
 * The session is over and signing in again is the only way on: the server said the session
 * ended (reason `session_ended`), the refresh token was refused (revoked, expired, rotated
 * out), or the tokens were cleared while a call was in flight. The stored tokens are
 * already cleared when it is thrown.
 *
 * It is a `TRPCClientError`, so it passes through tRPC unchanged (tRPC re-wraps anything
 * else) and existing `TRPCClientError` handling still sees it. `cause` is the error that
 * ended the session; `data`/`shape` are copied from it.
 */
export class SessionExpiredError extends TRPCClientError<AppRouter> {
  constructor(cause: LifelineClientError, message = "Session expired: sign in again") {
    super(message, {
      cause,
      ...(cause.shape ? { result: { error: cause.shape } } : {}),
      ...(cause.meta ? { meta: cause.meta } : {}),
    });
    // TRPCClientError's constructor pins the prototype to its own class, which would break
    // `instanceof SessionExpiredError`; put ours back.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "SessionExpiredError";
  }
}

/** A `TRPCClientError` the server answered, with Lifeline's typed `data` present. */
export type LifelineServerError = LifelineClientError & { data: LifelineErrorData };

/**
 * True for an error the server sent (so `data.code`, `data.httpStatus`, `data.requestId`
 * and, for validation errors, `data.details` are there). False for network failures,
 * aborted calls and anything that is not a `TRPCClientError`.
 */
export function isLifelineError(error: unknown): error is LifelineServerError {
  if (!(error instanceof TRPCClientError)) return false;
  const data: unknown = error.data;
  return (
    typeof data === "object" &&
    data !== null &&
    "code" in data &&
    typeof data.code === "string" &&
    "httpStatus" in data &&
    typeof data.httpStatus === "number"
  );
}

/** The server's error code for `error`, or null when the server did not answer with one. */
export function lifelineErrorCode(error: unknown): LifelineErrorCode | null {
  return isLifelineError(error) ? error.data.code : null;
}

const REASONS = [
  // UNAUTHORIZED: every one carries one of these four.
  "token_expired", // the access token is past its exp: a refresh helps
  "token_invalid", // bad signature, claims or format: a refresh helps
  "session_ended", // the token is fine but its session was revoked, expired or logged out
  "credentials_invalid", // wrong email/password, or a bad, expired or reused refresh token
  // Provider grants and outages: link the account again / wait Retry-After / a server-side
  // configuration problem that retrying will not fix.
  "needs_relink",
  "retry_later",
  "misconfigured",
  "email_unverified",
  // Account linking (accounts.completeLink): start again, the user declined, or the provider
  // account belongs to another Lifeline user.
  "link_state_invalid",
  "link_cancelled",
  "account_taken",
] as const;

/** The machine-readable reason the server gives beside `code`, in `data.reason`. */
export type LifelineErrorReason = (typeof REASONS)[number];

const KNOWN_REASONS: ReadonlySet<string> = new Set(REASONS);

function isKnownReason(reason: string): reason is LifelineErrorReason {
  return KNOWN_REASONS.has(reason);
}

/** `data.reason` as the server sent it, known to this client or not; null when absent. */
export function rawErrorReason(error: unknown): string | null {
  return isLifelineError(error) ? (error.data.reason ?? null) : null;
}

/**
 * Why the server refused `error`'s call: null when it gave no reason (an older server, a
 * network failure) or one this version of the client does not know. The raw string, whatever
 * it is, stays readable on `error.data.reason`.
 */
export function lifelineErrorReason(error: unknown): LifelineErrorReason | null {
  const reason = rawErrorReason(error);
  return reason !== null && isKnownReason(reason) ? reason : null;
}
