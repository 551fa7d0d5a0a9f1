import type { AppRouter } from "@lifeline/api";
import { TRPCClientError, type Operation, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";

import { lifelineErrorCode, type LifelineClientError } from "./errors";
import { SentToken, withSentToken } from "./sent-token";
import type { SessionRefresher } from "./session-refresher";
import type { TokenStore } from "./token-store";
import { syncTokens } from "./token-sync";

/**
 * Calls that must never trigger a refresh: their UNAUTHORIZED means wrong credentials or a
 * bad refresh token, not an expired access token, and refreshing from inside
 * auth.refresh would recurse.
 */
const NO_RENEW_PATHS = new Set(["auth.login", "auth.refresh", "auth.register", "auth.logout"]);

function shouldRenew(op: Operation, error: LifelineClientError): boolean {
  return !NO_RENEW_PATHS.has(op.path) && lifelineErrorCode(error) === "UNAUTHORIZED";
}

export interface AuthLinkOptions {
  tokens: TokenStore;
  refresher: SessionRefresher;
}

/**
 * A non-terminating link: on UNAUTHORIZED it renews the session once (single-flight, see
 * session-refresher.ts) and retries the operation once; a second refusal is the caller's.
 * It also keeps the token store in step with the app's login/refresh/logout calls.
 * The terminating link must set the Authorization header and fill in the SentToken it
 * finds on each operation (see client.ts).
 */
export function authLink({ tokens, refresher }: AuthLinkOptions): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let inner: Unsubscribable | null = null;
        let closed = false;

        const send = (isRetry: boolean) => {
          const sent = new SentToken();
          inner = next(withSentToken(op, sent)).subscribe({
            next(envelope) {
              if ("data" in envelope.result) syncTokens(op, envelope.result.data, tokens);
              observer.next(envelope);
            },
            error(error) {
              const sentAccessToken = sent.accessToken;
              // Pass the error on as is after a retry (once is enough), for subscriptions
              // (long-lived streams; resuming them is their link's job) and when no token
              // was sent (not signed in: a refresh cannot help).
              if (
                isRetry ||
                op.type === "subscription" ||
                !sentAccessToken ||
                !shouldRenew(op, error)
              ) {
                observer.error(error);
                return;
              }
              refresher.renew(sentAccessToken, error).then(
                () => {
                  if (!closed) send(true);
                },
                (renewError: unknown) => {
                  if (!closed) observer.error(TRPCClientError.from<AppRouter>(toError(renewError)));
                },
              );
            },
            complete() {
              observer.complete();
            },
          });
        };

        send(false);
        return () => {
          closed = true;
          inner?.unsubscribe();
        };
      });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
