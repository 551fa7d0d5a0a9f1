import { isProviderError } from "@lifeline/providers";
import { BlobIntegrityError } from "@lifeline/storage";

import { AppError } from "../errors/app-error";

/** What an import does about a failure; see classifyFailure. */
export type ImportFailure =
  /** The grant was refused: renew once, then the account needs linking again. */
  | { kind: "relink"; message: string }
  /** The provider said slow down: pause its downloads for `retryAfterMs`. */
  | { kind: "rate_limited"; message: string; retryAfterMs: number }
  /** The bytes are not what was promised (length or hash): try once more, then give up. */
  | { kind: "integrity"; message: string }
  /** The item is gone at the provider, or its bytes are refused here: fail the item. */
  | { kind: "item"; message: string }
  /** Our side is misconfigured (client id, secret, app approval). */
  | { kind: "misconfigured"; message: string }
  /** Anything else (network, 5xx, our database or storage): retry with backoff. */
  | { kind: "transient"; message: string };

/** When a 429 says nothing about how long to wait. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;

/** Meta's throttling codes (Instagram and Facebook answer them with HTTP 400 or 403). */
const META_THROTTLING = new Set(["4", "17", "32", "613", "80002"]);

/**
 * Sorts an error from a provider call, a download or the ingest into what to do about it.
 * Messages are ours or the provider client's (secrets already scrubbed), fit for the run's
 * error list; driver and database messages are not passed on.
 */
export function classifyFailure(error: unknown): ImportFailure {
  if (isProviderError(error)) {
    const message = error.message;
    if (error.code === "needs_relink") return { kind: "relink", message };
    if (error.code === "misconfigured") return { kind: "misconfigured", message };
    const throttled =
      error.status === 429 ||
      error.retryAfterMs !== undefined ||
      (error.providerCode !== undefined && META_THROTTLING.has(error.providerCode));
    if (throttled) {
      return {
        kind: "rate_limited",
        message,
        retryAfterMs: error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS,
      };
    }
    if (error.providerCode === "length_mismatch") return { kind: "integrity", message };
    if (error.itemNotFound) return { kind: "item", message: `${message} (no longer available)` };
    return { kind: "transient", message };
  }
  if (error instanceof BlobIntegrityError) {
    return { kind: "integrity", message: `the downloaded bytes do not match: ${error.message}` };
  }
  if (
    error instanceof AppError &&
    (error.code === "UNSUPPORTED_MEDIA_TYPE" || error.code === "PAYLOAD_TOO_LARGE")
  ) {
    return { kind: "item", message: error.message };
  }
  return { kind: "transient", message: "an internal error; the download will be retried" };
}
