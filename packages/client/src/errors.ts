import type { AppRouter, LifelineErrorData } from "@lifeline/api";
import { TRPCClientError } from "@trpc/client";

/** The error every call of a Lifeline client rejects with. */
export type LifelineClientError = TRPCClientError<AppRouter>;

/** A tRPC error code as the server sends it in `data.code`, e.g. "BAD_REQUEST". */
export type LifelineErrorCode = LifelineErrorData["code"];

/**
 * The session is over and signing in again is the only way on: the refresh token was
 * refused (revoked, expired, rotated out) or the tokens were cleared while a call was in
 * flight. The stored tokens are already cleared when it is thrown.
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
