import type { ProviderError } from "@lifeline/providers";

import { AppError, type AppErrorCode, type AppErrorReason } from "../errors/app-error";

/**
 * Why a link was refused, as the audit trail and the callback's redirect name it. Stable:
 * the frontend shows a message per value (`/accounts?link=error&reason=…`).
 */
export type LinkRefusalReason =
  | "state_missing"
  | "state_unknown"
  | "state_expired"
  | "state_reused"
  | "state_other_user"
  | "state_provider_mismatch"
  | "access_denied"
  | "provider_error"
  | "code_missing"
  | "exchange_failed"
  | "provider_unavailable"
  | "misconfigured"
  | "provider_not_configured"
  | "account_taken";

interface RefusalShape {
  code: AppErrorCode;
  reason: AppErrorReason;
  message: string;
}

const SHAPES: Record<LinkRefusalReason, RefusalShape> = {
  state_missing: {
    code: "BAD_REQUEST",
    reason: "link_state_invalid",
    message: "The link request carried no state; start linking again",
  },
  state_unknown: {
    code: "BAD_REQUEST",
    reason: "link_state_invalid",
    message: "This link request is not one we started; start linking again",
  },
  state_expired: {
    code: "BAD_REQUEST",
    reason: "link_state_invalid",
    message: "This link request expired (10 minutes); start linking again",
  },
  state_reused: {
    code: "BAD_REQUEST",
    reason: "link_state_invalid",
    message: "This link request was already used; start linking again",
  },
  state_other_user: {
    code: "FORBIDDEN",
    reason: "link_state_invalid",
    message: "This link request was started by another user",
  },
  state_provider_mismatch: {
    code: "BAD_REQUEST",
    reason: "link_state_invalid",
    message: "This link request was started for another provider; start linking again",
  },
  access_denied: {
    code: "BAD_REQUEST",
    reason: "link_cancelled",
    message: "Access was declined at the provider; nothing was linked",
  },
  provider_error: {
    code: "BAD_REQUEST",
    reason: "needs_relink",
    message: "The provider refused the link request; start linking again",
  },
  code_missing: {
    code: "BAD_REQUEST",
    reason: "needs_relink",
    message: "The provider sent no authorization code; start linking again",
  },
  exchange_failed: {
    code: "BAD_REQUEST",
    reason: "needs_relink",
    message: "The provider did not accept the authorization; start linking again",
  },
  provider_unavailable: {
    code: "SERVICE_UNAVAILABLE",
    reason: "retry_later",
    message: "The provider is not answering properly; try linking again later",
  },
  misconfigured: {
    code: "SERVICE_UNAVAILABLE",
    reason: "misconfigured",
    message: "Linking this provider is not set up correctly on this server",
  },
  provider_not_configured: {
    code: "SERVICE_UNAVAILABLE",
    reason: "misconfigured",
    message: "This provider is not configured on this server (no client credentials)",
  },
  account_taken: {
    code: "CONFLICT",
    reason: "account_taken",
    message: "This provider account is already linked to another Lifeline user",
  },
};

/** A refused link: an AppError (the transports map it) that also names the refusal. */
export class LinkRefusedError extends AppError {
  override name = "LinkRefusedError";
  readonly refusal: LinkRefusalReason;

  constructor(
    refusal: LinkRefusalReason,
    options: { retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    const shape = SHAPES[refusal];
    super({ ...shape, ...options });
    this.refusal = refusal;
  }
}

/** The refusal a provider failure during linking amounts to. */
export function refusalForProviderError(error: ProviderError): LinkRefusedError {
  switch (error.code) {
    case "needs_relink":
      return new LinkRefusedError("exchange_failed", { cause: error });
    case "retry_later":
      return new LinkRefusedError("provider_unavailable", {
        ...retryAfter(error),
        cause: error,
      });
    case "misconfigured":
      return new LinkRefusedError("misconfigured", { cause: error });
  }
}

/**
 * A provider failure outside linking (unlink, refresh, imports) as an AppError: needs_relink
 * (409: the link must be renewed first), retry_later (503, Retry-After when the provider said)
 * or misconfigured (503). The provider's own words stay in the cause, for the log only.
 */
export function appErrorForProviderError(error: ProviderError): AppError {
  switch (error.code) {
    case "needs_relink":
      return new AppError({
        code: "CONFLICT",
        reason: "needs_relink",
        message: `The ${error.provider} link has lapsed; link the account again`,
        cause: error,
      });
    case "retry_later":
      return new AppError({
        code: "SERVICE_UNAVAILABLE",
        reason: "retry_later",
        message: `${error.provider} is not answering properly; try again later`,
        ...retryAfter(error),
        cause: error,
      });
    case "misconfigured":
      return new AppError({
        code: "SERVICE_UNAVAILABLE",
        reason: "misconfigured",
        message: `${error.provider} is not set up correctly on this server`,
        cause: error,
      });
  }
}

function retryAfter(error: ProviderError): { retryAfterSeconds?: number } {
  if (error.retryAfterMs === undefined) return {};
  return { retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)) };
}
