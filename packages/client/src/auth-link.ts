import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";

import { refusalAction } from "./refusal";
import type { AppRouter } from "./router";
import { SentToken, withSentToken } from "./sent-token";
import type { SessionRefresher } from "./session-refresher";
import type { TokenStore } from "./token-store";
import { syncTokens } from "./token-sync";

export interface AuthLinkOptions {
  tokens: TokenStore;
  refresher: SessionRefresher;
}

/**
 * A non-terminating link: on an UNAUTHORIZED that a new access token can cure it renews the
 * session (single-flight, see session-refresher.ts) and retries the operation once; a second
 * refusal is the caller's. An ended session clears the tokens at once (see refusal.ts).
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
              const action = refusalAction(op, error, { isRetry, sentAccessToken });
              // (refusalAction passes calls sent without a token; the test narrows the type.)
              if (action === "pass" || !sentAccessToken) {
                observer.error(error);
                return;
              }
              const settled =
                action === "renew"
                  ? refresher.renew(sentAccessToken, error)
                  : refresher.end(sentAccessToken, error);
              settled.then(
                () => {
                  if (closed) return;
                  // After an ended session, other tokens are stored: worth one retry, no more.
                  if (isRetry) observer.error(error);
                  else send(true);
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
