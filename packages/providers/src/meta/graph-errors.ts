import { z } from "zod";

import type { Classification, HttpFailure } from "../http/client";

const GraphErrorBody = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.coerce.number().optional(),
    error_subcode: z.coerce.number().optional(),
    is_transient: z.boolean().optional(),
  }),
});

/** The legacy api.instagram.com shape of the code exchange. */
const LegacyErrorBody = z.looseObject({
  error_type: z.string(),
  code: z.coerce.number().optional(),
  error_message: z.string().optional(),
});

/** Throttling and temporary codes (1, 2 temporary; 4, 17, 32, 341, 613 limits; 368 a policy block). */
const RETRY_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613]);
/** Meta's business-use-case rate limits (80002 is Instagram's). */
const isBucThrottle = (code: number) => code >= 80000 && code <= 80014;

/**
 * Meta Graph errors (Instagram and Facebook). Classified on `code`, never on `type`
 * (OAuthException or IGApiException for the same thing).
 */
export function classifyGraphError(failure: HttpFailure): Classification | undefined {
  const graph = GraphErrorBody.safeParse(failure.body);
  if (graph.success) {
    const { code, error_subcode: subcode, message, is_transient: transient } = graph.data.error;
    const detail = {
      providerCode: code === undefined ? undefined : `${code}${subcode ? `/${subcode}` : ""}`,
      providerMessage: message,
    };
    if (code === undefined) return undefined;
    // 190: token invalid, expired or revoked (458 app removed, 460 password, 463 expired…);
    // 102: session invalid; 10 and 200-299: a permission declined or removed.
    if (code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299)) {
      return { code: "needs_relink", ...detail };
    }
    if (RETRY_CODES.has(code) || isBucThrottle(code) || transient === true) {
      return { code: "retry_later", retryAfterMs: bucWaitMs(failure.headers), ...detail };
    }
    // 100 on the code exchange: the code is used, expired or malformed (subcodes 36007-36009):
    // the user links again. A redirect_uri mismatch is ours to fix.
    if (code === 100 && /\bcode\b/i.test(message ?? "") && !/redirect_uri/i.test(message ?? "")) {
      return { code: "needs_relink", ...detail };
    }
    // 100/33: "Object with ID … does not exist" – the item is gone.
    if (code === 100 && subcode === 33) {
      return { code: "retry_later", itemNotFound: true, ...detail };
    }
    if (failure.status >= 500) return { code: "retry_later", ...detail };
    // Anything else is about the app: its id or secret, its review status, a bad request.
    return { code: "misconfigured", ...detail };
  }
  const legacy = LegacyErrorBody.safeParse(failure.body);
  if (legacy.success) {
    const message = legacy.data.error_message ?? "";
    const detail = {
      providerCode: `${legacy.data.error_type}${legacy.data.code ? `/${legacy.data.code}` : ""}`,
      providerMessage: message || undefined,
    };
    if (failure.status >= 500) return { code: "retry_later", ...detail };
    if (/client|secret|app\b|platform|redirect/i.test(message)) {
      return { code: "misconfigured", ...detail };
    }
    // "Matching code was not found or was already used", an expired code or token.
    if (/code|token/i.test(message)) return { code: "needs_relink", ...detail };
    return { code: "misconfigured", ...detail };
  }
  return undefined;
}

const BucUsage = z.record(
  z.string(),
  z.array(z.looseObject({ estimated_time_to_regain_access: z.number().optional() })),
);

/** Instagram's X-Business-Use-Case-Usage: minutes until access returns, per account. */
function bucWaitMs(headers: Headers): number | undefined {
  const raw = headers.get("x-business-use-case-usage");
  if (!raw) return undefined;
  try {
    const usage = BucUsage.safeParse(JSON.parse(raw));
    if (!usage.success) return undefined;
    const minutes = Math.max(
      0,
      ...Object.values(usage.data)
        .flat()
        .map((entry) => entry.estimated_time_to_regain_access ?? 0),
    );
    return minutes > 0 ? minutes * 60_000 : undefined;
  } catch {
    return undefined;
  }
}
