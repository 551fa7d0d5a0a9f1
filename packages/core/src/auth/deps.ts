import type { Db } from "@lifeline/db";

import type { AccessTokens } from "./access-tokens";

export interface AuthConfig {
  bcryptCost: number;
  /** A refresh-token family dies this long after its last use... */
  refreshIdleTtlSeconds: number;
  /** ...and this long after the login that started it, whatever the rotations. */
  refreshAbsoluteTtlSeconds: number;
}

export interface AuthDeps {
  db: Db;
  accessTokens: AccessTokens;
  config: AuthConfig;
  /** The clock; tests move it to reach expiries. */
  now?: () => Date;
}

/** Where a request came from, recorded on sessions and audit events. */
export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

export function clock(deps: Pick<AuthDeps, "now">): Date {
  return deps.now ? deps.now() : new Date();
}
