import {
  isLifelineError,
  SessionExpiredError,
  type LifelineClientError,
  type LifelineErrorCode,
} from "./errors";
import type { TokenPair, TokenStore } from "./token-store";

/** Codes with which the server refuses a refresh token for good; anything else may pass. */
const SESSION_OVER_CODES = new Set<LifelineErrorCode>(["UNAUTHORIZED", "BAD_REQUEST", "FORBIDDEN"]);

export interface SessionRefresher {
  /**
   * Makes sure the stored access token is newer than `sentAccessToken`, the one a call
   * was refused with. Resolves when a retry is worth making; rejects with
   * `SessionExpiredError` when the session is over, or with the refresh's own error when
   * the refresh failed for another reason (network, rate limit, server error).
   */
  renew(sentAccessToken: string, refusal: LifelineClientError): Promise<void>;
  /**
   * The server says the session behind `sentAccessToken` has ended (revoked, expired, logged
   * out), so no refresh is attempted. Clears the stored tokens and rejects with
   * `SessionExpiredError`; resolves instead when the store already holds other tokens (a
   * sign-in or a refresh since the call went out), which a retry may use.
   */
  end(sentAccessToken: string, refusal: LifelineClientError): Promise<void>;
}

export interface SessionRefresherOptions {
  tokens: TokenStore;
  /** Exchanges a refresh token for a new pair (auth.refresh over a plain link). */
  refresh: (refreshToken: string) => Promise<TokenPair>;
}

/**
 * Single-flight refresh: however many calls are refused at once, one auth.refresh runs and
 * all of them wait on it. This is not only about load: the server rotates refresh tokens
 * and treats a second use of one as theft, revoking the whole session, so two concurrent
 * refreshes with the same token would sign the user out.
 */
export function createSessionRefresher({
  tokens,
  refresh,
}: SessionRefresherOptions): SessionRefresher {
  let inFlight: Promise<void> | null = null;

  async function rotate(used: TokenPair): Promise<void> {
    let next: TokenPair;
    try {
      next = await refresh(used.refreshToken);
    } catch (error) {
      if (!isLifelineError(error) || !SESSION_OVER_CODES.has(error.data.code)) {
        // Offline, rate-limited or a server fault: the session may well be alive, so the
        // tokens stay and the caller sees why the refresh failed.
        throw error;
      }
      // Only clear what we tried to refresh: a sign-in during the refresh must survive.
      if (tokens.get()?.refreshToken === used.refreshToken) tokens.clear();
      throw new SessionExpiredError(error);
    }
    // Same guard on success: after a sign-out or another user's sign-in meanwhile, the
    // refreshed pair belongs to a session the app no longer wants.
    if (tokens.get()?.refreshToken === used.refreshToken) {
      tokens.set({ accessToken: next.accessToken, refreshToken: next.refreshToken });
    }
  }

  return {
    renew(sentAccessToken, refusal) {
      if (inFlight) return inFlight;
      const current = tokens.get();
      // Signed out while the call was out (a failed refresh, a logout): nothing to renew.
      if (!current) return Promise.reject(new SessionExpiredError(refusal));
      // Someone (another call, another tab sharing storage) already refreshed: just retry.
      if (current.accessToken !== sentAccessToken) return Promise.resolve();

      const attempt = rotate(current);
      inFlight = attempt;
      const settle = () => {
        if (inFlight === attempt) inFlight = null;
      };
      // Both arms handled, so this bookkeeping never becomes an unhandled rejection.
      void attempt.then(settle, settle);
      return attempt;
    },

    end(sentAccessToken, refusal) {
      const current = tokens.get();
      if (current && current.accessToken !== sentAccessToken) return Promise.resolve();
      // Only the pair that was refused is cleared, so a sign-in made meanwhile survives.
      if (current) tokens.clear();
      return Promise.reject(new SessionExpiredError(refusal));
    },
  };
}
