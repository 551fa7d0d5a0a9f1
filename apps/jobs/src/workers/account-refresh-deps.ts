import { createAccountLocks, DEFAULT_REFRESH_POLICY, type RefreshDeps } from "@lifeline/core";

import type { JobsDeps } from "../handler";

const DAY_MS = 24 * 3600 * 1000;
const built = new WeakMap<JobsDeps, RefreshDeps>();

/**
 * What the refresh engine needs, from the jobs app's dependencies: built once per process
 * (the lock's settings never change), on the same Redis and provider clients as the imports.
 */
export function accountRefreshDeps(deps: JobsDeps): RefreshDeps {
  const existing = built.get(deps);
  if (existing) return existing;
  const { env } = deps;
  const refresh: RefreshDeps = {
    db: deps.db,
    providers: deps.providers,
    cipher: deps.tokenCipher,
    locks: createAccountLocks({
      redis: deps.redis,
      keyPrefix: env.REDIS_KEY_PREFIX,
      // Outlives the slowest refresh (the provider call's timeout, then the write), so a
      // live holder never loses it; a crashed one frees it within this.
      ttlMs: env.PROVIDER_TIMEOUT_MS * 2 + 10_000,
    }),
    jobs: deps.jobs,
    logger: deps.logger.child({ component: "token-refresh" }),
    now: deps.now,
    policy: {
      ...DEFAULT_REFRESH_POLICY,
      expiryWarningMs: env.JOBS_ACCOUNT_EXPIRY_WARNING_DAYS * DAY_MS,
    },
  };
  built.set(deps, refresh);
  return refresh;
}
