import type { Db } from "@lifeline/db";
import type { JobProducer } from "@lifeline/queue";

import type { AccessTokens } from "./access-tokens";
import type { PasswordHasher } from "./password-hasher";

export interface AuthConfig {
  /** A refresh-token family dies this long after its last use... */
  refreshIdleTtlSeconds: number;
  /** ...and this long after the login that started it, whatever the rotations. */
  refreshAbsoluteTtlSeconds: number;
  /**
   * A rotated refresh token presented again within this many seconds, while its successor
   * is unused, gets that same successor back (a retry or a second tab), not a revocation.
   * 0 turns the grace off.
   */
  refreshReuseGraceSeconds: number;
  /** Server secret from which a token's successor is derived (HMAC), so none is stored. */
  tokenSecret: Buffer;
  /**
   * REQUIRE_VERIFIED_EMAIL: login refuses an account whose address is not verified yet
   * (FORBIDDEN, email_unverified), once the password was checked.
   */
  requireVerifiedEmail: boolean;
}

export interface AuthDeps {
  db: Db;
  accessTokens: AccessTokens;
  passwords: PasswordHasher;
  config: AuthConfig;
  /** The clock; tests move it to reach expiries. */
  now?: () => Date;
}

/** For the account flows that send email: they enqueue it for the jobs app, never send. */
export interface AccountDeps extends AuthDeps {
  jobs: Pick<JobProducer, "enqueue">;
  /**
   * Whether an account email may go to this recipient now (`key` names the template and the
   * recipient). Requests that mail someone are public, so without this anyone could flood a
   * mailbox; a refused one is dropped quietly (the caller's answer is the same either way).
   */
  mailGate?: (key: string) => Promise<boolean>;
}

/** Where a request came from, recorded on sessions and audit events. */
export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

export function clock(deps: Pick<AuthDeps, "now">): Date {
  return deps.now ? deps.now() : new Date();
}
