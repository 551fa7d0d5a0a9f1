import type { Redis as IORedis } from "ioredis";

import { emailKey } from "./email-key";
import { limiterUnavailable } from "./limiter-unavailable";
import { createLoginLockout, type LoginLockout } from "./login-lockout";
import { unlimited, type RateLimitResult } from "./rate-limit-result";
import { createSlidingWindow, type SlidingWindow } from "./sliding-window";
import { createUpstashRedisAdapter } from "./upstash-redis-adapter";
import { withTimeout } from "./with-timeout";

export interface WindowConfig {
  max: number;
  windowSeconds: number;
}

export interface RateLimitsConfig {
  /** Off: every check allows and the lockout never locks (RATE_LIMIT_ENABLED). */
  enabled: boolean;
  /** REDIS_KEY_PREFIX; limiter keys live under `<prefix>ratelimit:<name>:`. */
  prefix: string;
  global: WindowConfig;
  /** Password checks and registrations: per client, and per signed-in user. */
  credentials: WindowConfig;
  refresh: WindowConfig;
  /** Per-user budgets of routes that would otherwise exhaust the global limit (media bytes). */
  budgets?: Partial<Record<BudgetName, WindowConfig>>;
  lockout: {
    threshold: number;
    baseSeconds: number;
    maxSeconds: number;
    accountMaxFailures: number;
    accountWindowSeconds: number;
  };
  /** How long any one Redis call may take before it counts as a failure (default 500). */
  timeoutMs?: number;
}

/**
 * Redis failure policy (Redis erroring, or not answering within `timeoutMs`):
 * - credentials (register, login, and the login lockout) and refresh FAIL CLOSED: the check
 *   throws AppError SERVICE_UNAVAILABLE and the procedure does not run, because running them
 *   unthrottled would hand an attacker unlimited password guesses during an outage;
 * - the global limit FAILS OPEN: it answers allowed with `degraded: true` (the caller logs
 *   it), because refusing every request would turn a Redis outage into a full API outage,
 *   and the routes worth attacking stay guarded by the fail-closed limits above.
 */
/**
 * Routes with a budget of their own: "media" per user instead of the global limit;
 * "linkCallback" (the public OAuth callback) per client, on top of it.
 */
export type BudgetName = "media" | "linkCallback";

export interface RateLimits {
  readonly enabled: boolean;
  /**
   * Per client (see clientKey), for every request, called from the server's hook. `calls` is
   * how many procedure calls the request carries (a tRPC batch holds several): each counts.
   * Never throws.
   */
  checkGlobal(client: string, calls?: number): Promise<RateLimitResult>;
  /**
   * Register, login and every other password check: per client. Not per email: a budget
   * per email would let anyone spend the owner's (the lockout's account-wide ceiling is
   * what stops guessing spread over many clients).
   */
  checkCredentials(client: string): Promise<RateLimitResult>;
  /** Password checks by a signed-in user (changePassword): per user, whatever the client. */
  checkUserCredentials(userId: string): Promise<RateLimitResult>;
  /** Token refresh: per client, looser than credentials (clients refresh routinely). */
  checkRefresh(client: string): Promise<RateLimitResult>;
  /**
   * A route's own per-user budget (e.g. "media": image and video bytes, which a scrolling
   * timeline requests by the hundred). Such routes are left out of the global limit. Fails
   * open, like the global limit: bytes are not credentials.
   */
  checkBudget(name: BudgetName, userId: string): Promise<RateLimitResult>;
  /**
   * True for the first call per `name` and `identifier` in `seconds`, false for the others
   * (one SET NX EX under `<prefix>ratelimit:<name>:`): for notices that must not repeat,
   * such as the failed sign-ins email. Throws when Redis fails; the caller decides.
   */
  firstInWindow(name: string, identifier: string, seconds: number): Promise<boolean>;
  /**
   * Account emails (verification, reset, "someone tried to register") to one recipient:
   * a few per window, then quietly none, so a public form cannot flood a mailbox.
   * `key` names the kind of email and the recipient. Throws when Redis fails.
   */
  allowAccountEmail(key: string): Promise<boolean>;
  lockout: LoginLockout;
}

const DEFAULT_TIMEOUT_MS = 500;

/** Three emails of a kind to one recipient per ten minutes: enough to resend, not to flood. */
const ACCOUNT_EMAILS: WindowConfig = { max: 3, windowSeconds: 600 };

/** Runs a fail-closed check: a Redis failure becomes SERVICE_UNAVAILABLE. */
async function failClosed<T>(check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (error) {
    throw limiterUnavailable(error);
  }
}

export function createRateLimits(redis: IORedis, config: RateLimitsConfig): RateLimits {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lockout = createLoginLockout(redis, {
    ...config.lockout,
    enabled: config.enabled,
    keyPrefix: `${config.prefix}lockout`,
    timeoutMs,
  });

  if (!config.enabled) {
    return {
      enabled: false,
      checkGlobal: async () => unlimited(config.global.max),
      checkCredentials: async () => unlimited(config.credentials.max),
      checkUserCredentials: async () => unlimited(config.credentials.max),
      checkRefresh: async () => unlimited(config.refresh.max),
      checkBudget: async (name) => unlimited(config.budgets?.[name]?.max ?? 0),
      firstInWindow: async () => true,
      allowAccountEmail: async () => true,
      lockout,
    };
  }

  const upstash = createUpstashRedisAdapter(redis);
  const limiter = (name: string, window: WindowConfig): SlidingWindow =>
    createSlidingWindow(upstash, {
      keyPrefix: `${config.prefix}ratelimit:${name}`,
      max: window.max,
      windowSeconds: window.windowSeconds,
      timeoutMs,
    });
  const globalLimit = limiter("global", config.global);
  const credentialsByClient = limiter("credentials-client", config.credentials);
  const credentialsByUser = limiter("credentials-user", config.credentials);
  const refresh = limiter("refresh", config.refresh);
  const accountEmails = limiter("account-email", ACCOUNT_EMAILS);
  const budgets = new Map(
    Object.entries(config.budgets ?? {}).map(([name, window]) => [
      name,
      limiter(`budget-${name}`, window),
    ]),
  );

  return {
    enabled: true,

    checkGlobal: async (client, calls = 1) => {
      try {
        return await globalLimit(client, calls);
      } catch (error) {
        return { ...unlimited(config.global.max), degraded: true, cause: error };
      }
    },

    checkCredentials: async (client) => failClosed(credentialsByClient(client)),
    checkUserCredentials: async (userId) => failClosed(credentialsByUser(userId)),
    checkRefresh: async (client) => failClosed(refresh(client)),

    checkBudget: async (name, userId) => {
      const budget = budgets.get(name);
      if (!budget) throw new Error(`No rate budget named ${name} is configured`);
      try {
        return await budget(userId);
      } catch (error) {
        return { ...unlimited(config.budgets?.[name]?.max ?? 0), degraded: true, cause: error };
      }
    },

    allowAccountEmail: async (key) => (await accountEmails(emailKey(key))).allowed,

    firstInWindow: async (name, identifier, seconds) => {
      const key = `${config.prefix}ratelimit:${name}:${identifier}`;
      const set = redis.set(key, "1", "EX", seconds, "NX");
      return (await withTimeout(set, timeoutMs, `Notice window ${name}`)) === "OK";
    },

    lockout,
  };
}
