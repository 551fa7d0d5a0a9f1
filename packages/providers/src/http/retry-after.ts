/** Upper bound for a wait we pass on: a garbled header must not park a job for a year. */
const MAX_WAIT_MS = 7 * 24 * 3600 * 1000;

function clamp(ms: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_WAIT_MS);
}

/**
 * How long the provider asked us to wait, in ms: `Retry-After` (seconds or an HTTP date;
 * Microsoft, Google, generic 429/503) or X's `x-rate-limit-reset` (Unix seconds, when the
 * window is spent). Undefined when the response does not say.
 */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return clamp(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clamp(date - now.getTime());
  }
  const reset = headers.get("x-rate-limit-reset")?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const remaining = headers.get("x-rate-limit-remaining");
    if (remaining === null || remaining.trim() === "0") {
      return clamp(Number(reset) * 1000 - now.getTime());
    }
  }
  return undefined;
}

/** Until the next 00:00 UTC: when LinkedIn's daily limits reset (it sends no header). */
export function untilUtcMidnightMs(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}
