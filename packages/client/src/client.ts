import { createTRPCClient, httpBatchLink, httpLink, type Operation } from "@trpc/client";

import { authLink } from "./auth-link";
import { batchMaxItems, type BatchOption } from "./batch";
import { baseHeaders, type HeadersOption } from "./headers";
import type { AppRouter } from "./router";
import { sentTokenOf } from "./sent-token";
import { sessionRefresherFor } from "./shared-refresher";
import type { TokenStore } from "./token-store";
import type { LifelineClient } from "./types";
import { resolveTrpcUrl } from "./url";

export interface CreateLifelineClientOptions {
  /** The server's base URL (`http://localhost:3000`) or its tRPC endpoint (`…/trpc`). */
  url: string | URL;
  /** Where the tokens live; `memoryTokenStore()` or `webStorageTokenStore(localStorage)`. */
  tokens: TokenStore;
  /** A `fetch` to use instead of the global one (tests, SSR, instrumentation). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for every request. Authorization is the client's and is dropped here. */
  headers?: HeadersOption;
  /**
   * Batch calls made in the same tick into HTTP requests of at most 10 calls each (default
   * true; `{ maxItems }` changes the cap). Off, each call is its own request: easier to read
   * in devtools, more round trips.
   */
  batch?: BatchOption;
}

/**
 * The typed client for the Lifeline API. It sends the stored access token as a bearer
 * token, renews the session once when a call is refused with UNAUTHORIZED and retries the
 * call, and stores or clears tokens when the app signs in or out through it.
 */
export function createLifelineClient(options: CreateLifelineClientOptions): LifelineClient {
  const url = resolveTrpcUrl(options.url);
  const { tokens, fetch } = options;
  const maxItems = batchMaxItems(options.batch);

  // The refresh goes over its own plain client, never through authLink: a refused refresh
  // must not start another refresh.
  const refreshClient = createTRPCClient<AppRouter>({
    links: [httpLink({ url, fetch, headers: () => baseHeaders(options.headers) })],
  });
  // Shared with every client and upload on the same store (see shared-refresher.ts).
  const refresher = sessionRefresherFor(tokens, (refreshToken) =>
    refreshClient.auth.refresh.mutate({ refreshToken }),
  );

  // Read at send time, so a retry carries the token its refresh stored; each operation
  // learns which token it went out with (see sent-token.ts).
  const headersFor = async (ops: readonly Operation[]) => {
    const headers = await baseHeaders(options.headers);
    const accessToken = tokens.get()?.accessToken ?? null;
    for (const op of ops) {
      const sent = sentTokenOf(op);
      if (sent) sent.accessToken = accessToken;
    }
    return accessToken ? { ...headers, authorization: `Bearer ${accessToken}` } : headers;
  };

  const transport =
    maxItems === null
      ? httpLink<AppRouter>({ url, fetch, headers: ({ op }) => headersFor([op]) })
      : httpBatchLink<AppRouter>({
          url,
          fetch,
          maxItems,
          headers: ({ opList }) => headersFor(opList),
        });

  return createTRPCClient<AppRouter>({ links: [authLink({ tokens, refresher }), transport] });
}
