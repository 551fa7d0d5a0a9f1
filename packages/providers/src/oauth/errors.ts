import { z } from "zod";

import type { Classification, HttpFailure } from "../http/client";

const OAuthErrorBody = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
});

/** Descriptions that say the code, token or grant is dead (X and LinkedIn say invalid_request). */
const DEAD_GRANT =
  /(token|authorization code|grant|code)\b.*\b(invalid|expired|revoked|not found)|invalid, expired or revoked|does not match authorization code|code expired/i;

/**
 * RFC 6749 token-endpoint errors (`{ error, error_description }`), shared by X, Google,
 * Microsoft and LinkedIn. Undefined when the body is not one.
 */
export function classifyOAuthError(failure: HttpFailure): Classification | undefined {
  const parsed = OAuthErrorBody.safeParse(failure.body);
  if (!parsed.success) return undefined;
  const { error, error_description: description = "", error_codes: codes } = parsed.data;
  const detail = {
    providerCode: codes?.length ? `${error} (${codes.join(",")})` : error,
    providerMessage: description || undefined,
  };
  switch (error) {
    case "invalid_grant":
    case "invalid_token":
    case "interaction_required":
    case "consent_required":
    case "login_required":
    case "access_denied":
      return { code: "needs_relink", ...detail };
    case "temporarily_unavailable":
    case "server_error":
      return { code: "retry_later", ...detail };
    case "invalid_client":
    case "unauthorized_client":
    case "invalid_scope":
    case "unsupported_grant_type":
    case "unsupported_response_type":
      return { code: "misconfigured", ...detail };
    case "invalid_request":
    case "invalid_redirect_uri":
      // X: "Value passed for the token was invalid."; LinkedIn: "…invalid, expired or revoked",
      // "…does not match authorization code. Or authorization code expired…". Anything else
      // (a missing parameter) is our request's fault.
      return { code: DEAD_GRANT.test(description) ? "needs_relink" : "misconfigured", ...detail };
    default:
      return failure.status >= 500 ? { code: "retry_later", ...detail } : undefined;
  }
}
