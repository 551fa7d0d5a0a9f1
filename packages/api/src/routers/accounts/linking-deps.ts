import type { LinkingDeps } from "@lifeline/core";

import type { Context } from "../../context";

/** What core's linking functions need, from the API's shared deps and this request. */
export function linkingDeps(ctx: Context): LinkingDeps {
  const { deps } = ctx;
  return {
    db: deps.db,
    providers: deps.providers,
    cipher: deps.tokenCipher,
    states: deps.linking.states,
    clientRedirectOrigins: deps.linking.clientRedirectOrigins,
    logger: ctx.logger,
    ...(deps.now ? { now: deps.now } : {}),
  };
}
