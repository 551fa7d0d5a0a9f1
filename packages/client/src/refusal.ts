import type { Operation } from "@trpc/client";

import { lifelineErrorCode, rawErrorReason, type LifelineClientError } from "./errors";

/** What the auth link does with a call the server refused. */
export type RefusalAction =
  /** Hand the error to the caller as it is. */
  | "pass"
  /** Refresh the session (single flight, see session-refresher.ts) and retry once. */
  | "renew"
  /** The session is over: clear the tokens and reject with SessionExpiredError. */
  | "end-session";

/**
 * Calls that must never trigger a refresh: their UNAUTHORIZED means wrong credentials or a
 * bad refresh token, not an expired access token, and refreshing from inside
 * auth.refresh would recurse. The account flows (an emailed link, a reset) are public and
 * are often made signed out or as someone else: a session has nothing to do with them.
 */
const NO_RENEW_PATHS = new Set([
  "auth.login",
  "auth.refresh",
  "auth.register",
  "auth.logout",
  "auth.verifyEmail",
  "auth.resendVerification",
  "auth.requestPasswordReset",
  "auth.resetPassword",
]);

export interface Attempt {
  /** This attempt is already the retry after a renewal: once is enough. */
  isRetry: boolean;
  /** The access token the attempt went out with (null/undefined: none). */
  sentAccessToken: string | null | undefined;
}

/**
 * Refresh only where refreshing can help. The server's `data.reason` says why an
 * UNAUTHORIZED happened: an expired or unreadable access token is cured by a new one; an
 * ended session is not (a refresh would be refused too, at the cost of a request);
 * credentials_invalid is about what the caller sent, not about the session. An UNAUTHORIZED
 * without a reason comes from a server that predates reasons: renew, as before. A reason this
 * client does not know is passed on untouched rather than guessed at.
 */
export function refusalAction(
  op: Operation,
  error: LifelineClientError,
  attempt: Attempt,
): RefusalAction {
  // Subscriptions are long-lived streams (resuming them is their link's job); without a
  // token the caller is simply not signed in, and a refresh cannot help.
  if (op.type === "subscription" || NO_RENEW_PATHS.has(op.path) || !attempt.sentAccessToken) {
    return "pass";
  }
  if (lifelineErrorCode(error) !== "UNAUTHORIZED") return "pass";
  switch (rawErrorReason(error)) {
    case null:
    case "token_expired":
    case "token_invalid":
      return attempt.isRetry ? "pass" : "renew";
    case "session_ended":
      return "end-session";
    default:
      return "pass";
  }
}
