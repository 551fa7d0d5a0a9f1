import { createSessionRefresher, type SessionRefresher } from "./session-refresher";
import type { TokenPair, TokenStore } from "./token-store";

/**
 * One session refresher per token store, whoever asks: a client and an upload helper (or
 * two clients) on the same store share one single-flight refresh. Two refreshes of one
 * refresh token would look like theft to the server (reuse revokes the session), so
 * everything that renews the tokens of a store must go through the same refresher.
 */
const refreshers = new WeakMap<TokenStore, SessionRefresher>();

/** The store's refresher; made with `refresh` the first time the store is seen. */
export function sessionRefresherFor(
  tokens: TokenStore,
  refresh: (refreshToken: string) => Promise<TokenPair>,
): SessionRefresher {
  let refresher = refreshers.get(tokens);
  if (!refresher) {
    refresher = createSessionRefresher({ tokens, refresh });
    refreshers.set(tokens, refresher);
  }
  return refresher;
}
