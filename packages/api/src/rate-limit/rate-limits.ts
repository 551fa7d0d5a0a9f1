import type { Redis as IORedis } from "ioredis";

import { emailKey } from "./email-key";
import { limiterUnavailable } from "./limiter-unavailable";
import { createLoginLockout, type LoginLockout } from "./login-lockout";
import { mostRestrictive, unlimited, type RateLimitResult } from "./rate-limit-result";
import { createSlidingWindow, type SlidingWindow } from "./sliding-window";
import { createUpstashRedisAdapter } from "./upstash-redis-adapter";

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
  credentials: WindowConfig;
  refresh: WindowConfig;
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number };
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
export interface RateLimits {
  readonly enabled: boolean;
  /** Per client IP, for every request (called from the server's hook). Never throws. */
  checkGlobal(ip: string): Promise<RateLimitResult>;
  /** Register and login: per client IP and per email; the stricter answer wins. */
  checkCredentials(request: { ip: string | null; email: string }): Promise<RateLimitResult>;
  /** Token refresh: per client IP, looser than credentials (clients refresh routinely). */
  checkRefresh(ip: string | null): Promise<RateLimitResult>;
  lockout: LoginLockout;
}

const DEFAULT_TIMEOUT_MS = 500;

// A request without a known address shares one bucket rather than escaping the limit.
const ipId = (ip: string | null) => ip ?? "unknown";

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
      checkRefresh: async () => unlimited(config.refresh.max),
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
  const credentialsByIp = limiter("credentials-ip", config.credentials);
  const credentialsByEmail = limiter("credentials-email", config.credentials);
  const refresh = limiter("refresh", config.refresh);

  return {
    enabled: true,

    checkGlobal: async (ip) => {
      try {
        return await globalLimit(ip);
      } catch (error) {
        return { ...unlimited(config.global.max), degraded: true, cause: error };
      }
    },

    // Both counters see every attempt: one guesser on many addresses is caught by email,
    // one address trying many emails by IP.
    checkCredentials: async ({ ip, email }) =>
      mostRestrictive(
        await failClosed(
          Promise.all([credentialsByIp(ipId(ip)), credentialsByEmail(emailKey(email))]),
        ),
      ),

    checkRefresh: async (ip) => failClosed(refresh(ipId(ip))),

    lockout,
  };
}
