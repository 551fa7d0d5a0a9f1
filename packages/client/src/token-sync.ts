import type { Operation } from "@trpc/client";

import type { TokenPair, TokenStore } from "./token-store";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isTokenPair(value: unknown): value is TokenPair {
  return (
    isObject(value) &&
    typeof value.accessToken === "string" &&
    typeof value.refreshToken === "string"
  );
}

/**
 * Keeps the store in step with the app's own auth calls, so signing in is just
 * `client.auth.login.mutate(...)`:
 * - auth.login / auth.refresh succeeded: store the returned pair;
 * - auth.logout of the stored refresh token succeeded: clear (another token's logout
 *   leaves this session alone);
 * - auth.logoutAll succeeded: clear, since it ended this session too.
 * Runs before the caller's promise resolves, so the store is current when `await` returns.
 */
export function syncTokens(op: Operation, data: unknown, tokens: TokenStore): void {
  switch (op.path) {
    case "auth.login":
    case "auth.refresh":
      if (isTokenPair(data))
        tokens.set({ accessToken: data.accessToken, refreshToken: data.refreshToken });
      return;
    case "auth.logout":
      if (isObject(op.input) && op.input.refreshToken === tokens.get()?.refreshToken)
        tokens.clear();
      return;
    case "auth.logoutAll":
      tokens.clear();
      return;
  }
}
