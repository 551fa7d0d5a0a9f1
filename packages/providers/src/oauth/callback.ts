export type CallbackResult =
  | { ok: true; code: string; state: string | null }
  | {
      ok: false;
      /** The provider's error (access_denied, user_cancelled_login, …). */
      error: string;
      description: string | null;
      state: string | null;
      /** The user said no (as opposed to a provider or configuration problem). */
      cancelled: boolean;
    };

const CANCELLED = new Set(["access_denied", "user_cancelled_login", "user_cancelled_authorize"]);

/**
 * Reads the provider's redirect back to us: `?code=…&state=…`, or `?error=…`. Meta appends
 * `#_=_` (Facebook) or `#_` (Instagram) to the URL; browsers keep fragments away from
 * servers, but a URL handled as a string must not let them leak into the code.
 */
export function parseCallback(input: string | URL | URLSearchParams): CallbackResult {
  let params: URLSearchParams;
  if (input instanceof URLSearchParams) params = input;
  else if (input instanceof URL) params = input.searchParams;
  else {
    const withoutFragment = input.split("#")[0] ?? "";
    const queryStart = withoutFragment.indexOf("?");
    params = new URLSearchParams(
      queryStart === -1 && !withoutFragment.includes("://")
        ? withoutFragment
        : withoutFragment.slice(queryStart + 1),
    );
  }
  const metaFragment = /#_(=_)?$/;
  const state = params.get("state")?.replace(metaFragment, "") ?? null;
  const error = params.get("error");
  if (error) {
    return {
      ok: false,
      error,
      description: params.get("error_description") ?? params.get("error_reason"),
      state,
      cancelled: CANCELLED.has(error),
    };
  }
  const code = params.get("code")?.replace(metaFragment, "");
  if (!code) {
    return { ok: false, error: "missing_code", description: null, state, cancelled: false };
  }
  return { ok: true, code, state };
}
