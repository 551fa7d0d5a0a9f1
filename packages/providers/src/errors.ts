import type { ProviderId } from "./provider";

/**
 * What the application does about a provider failure, one code per failure:
 * - needs_relink: the grant is revoked, expired or lacks a read scope. Stop, flag the linked
 *   account, ask the user to link again.
 * - retry_later: transient (rate limit, outage, network, a garbled response). Back off, retry;
 *   `retryAfterMs` says how long when the provider said so.
 * - misconfigured: our side is wrong (client id or secret, app not approved, a request the
 *   provider no longer accepts). Alert operations; do not flag every user.
 */
export const PROVIDER_ERROR_CODES = ["needs_relink", "retry_later", "misconfigured"] as const;

export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

export interface ProviderErrorOptions {
  code: ProviderErrorCode;
  provider: ProviderId;
  /** Ours, safe to log and to show in the import error list: never a token or secret. */
  message: string;
  /** The provider's HTTP status, when there was a response. */
  status?: number;
  /** The provider's own error code and message, for logs (secrets already scrubbed). */
  providerCode?: string;
  providerMessage?: string;
  retryAfterMs?: number;
  /** The one item asked for no longer exists (404): skip it rather than retry it. */
  itemNotFound?: boolean;
  cause?: unknown;
}

export class ProviderError extends Error {
  override name = "ProviderError";
  readonly code: ProviderErrorCode;
  readonly provider: ProviderId;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  readonly providerMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly itemNotFound: boolean;

  constructor(options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.provider = options.provider;
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.providerMessage = options.providerMessage;
    this.retryAfterMs = options.retryAfterMs;
    this.itemNotFound = options.itemNotFound ?? false;
  }

  /** A plain object for log lines and the import error list. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      provider: this.provider,
      message: this.message,
      status: this.status,
      providerCode: this.providerCode,
      providerMessage: this.providerMessage,
      retryAfterMs: this.retryAfterMs,
      itemNotFound: this.itemNotFound || undefined,
    };
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
