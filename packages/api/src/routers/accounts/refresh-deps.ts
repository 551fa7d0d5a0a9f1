import type { RefreshDeps } from "@lifeline/core";

import type { Context } from "../../context";

/** What core's token refresh needs, from the API's shared deps and this request. */
export function refreshDeps(ctx: Context): RefreshDeps {
  const { deps } = ctx;
  return {
    db: deps.db,
    providers: deps.providers,
    cipher: deps.tokenCipher,
    locks: deps.accountLocks,
    jobs: deps.jobs,
    logger: ctx.logger,
    ...(deps.now ? { now: deps.now } : {}),
  };
}
