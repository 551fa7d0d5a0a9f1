import type { Db } from "@lifeline/db";
import type { RequestLogger } from "@lifeline/logger";
import type { ProviderRegistry } from "@lifeline/providers";

import type { TokenCipher } from "../crypto/token-cipher";
import type { OAuthStateStore } from "./oauth-states";

/** What linking, listing and unlinking accounts need; the API and tests build it. */
export interface LinkingDeps {
  db: Db;
  /** Built from the environment: providers without credentials are reported unavailable. */
  providers: ProviderRegistry;
  /** Provider tokens at rest (TOKEN_ENCRYPTION_KEYS). */
  cipher: TokenCipher;
  states: OAuthStateStore;
  /** The request's logger where there is one (bound to its request id). */
  logger: RequestLogger;
  /**
   * Origins a client may name as its own redirect URI in startLink (then it finishes with
   * completeLink). Others are refused; without one, the server's callback is used.
   */
  clientRedirectOrigins?: readonly string[];
  now?: () => Date;
}

/** Where a request came from, for the audit trail. */
export interface LinkRequestMeta {
  ip: string | null;
}

export function linkingClock(deps: Pick<LinkingDeps, "now">): Date {
  return deps.now ? deps.now() : new Date();
}
