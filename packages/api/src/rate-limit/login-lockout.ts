import type { Redis as IORedis } from "ioredis";

import { emailKey } from "./email-key";
import { limiterUnavailable } from "./limiter-unavailable";
import { withTimeout } from "./with-timeout";

export interface LoginLockoutConfig {
  enabled: boolean;
  /** Full key prefix, e.g. `lifeline:lockout`. */
  keyPrefix: string;
  /** Consecutive failures that lock the account. */
  threshold: number;
  /** Length of the first lock; each further failure doubles it... */
  baseSeconds: number;
  /** ...up to this. */
  maxSeconds: number;
  timeoutMs: number;
}

export interface LockoutStatus {
  locked: boolean;
  /** Seconds until the lock ends; 0 when not locked. */
  retryAfterSeconds: number;
}

/**
 * Per-account lockout with growing delays. Keyed by the hashed email whether or not an
 * account exists, so being locked says nothing about who has signed up.
 *
 * It guards the login procedure only (see middlewares/login-lockout.ts): password reset must
 * stay open to a locked account, or anyone could keep its owner out by failing on purpose.
 *
 * Every method fails closed: a Redis error or timeout throws SERVICE_UNAVAILABLE.
 */
export interface LoginLockout {
  check(email: string): Promise<LockoutStatus>;
  /** Counts a failed login; returns the status it leads to. */
  recordFailure(email: string): Promise<LockoutStatus>;
  /** Forgets the failures, after a successful login. */
  clear(email: string): Promise<void>;
}

// One atomic step, so concurrent failures cannot lose counts or set a shorter lock.
// After `threshold` failures: lock for base * 2^(failures - threshold), capped at max.
// The exponent is capped too, so Lua's float never overflows before the cap applies.
// The counter outlives the lock by `memory` seconds: a failure soon after a lock ends
// locks for longer, while an account left alone is forgotten and Redis does not grow.
const RECORD_FAILURE = `
local failures = redis.call("INCR", KEYS[1])
local threshold = tonumber(ARGV[1])
local lockSeconds = 0
if failures >= threshold then
  local exponent = math.min(failures - threshold, 40)
  lockSeconds = math.floor(math.min(tonumber(ARGV[2]) * 2 ^ exponent, tonumber(ARGV[3])))
  redis.call("SET", KEYS[2], failures, "EX", lockSeconds)
end
redis.call("EXPIRE", KEYS[1], lockSeconds + tonumber(ARGV[4]))
return lockSeconds
`;

const NOT_LOCKED: LockoutStatus = { locked: false, retryAfterSeconds: 0 };

function toStatus(lockMilliseconds: number): LockoutStatus {
  // PTTL answers -2 for no key and -1 for no expiry (never set here; treated as unlocked).
  if (lockMilliseconds <= 0) return NOT_LOCKED;
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(lockMilliseconds / 1000)) };
}

export function createLoginLockout(redis: IORedis, config: LoginLockoutConfig): LoginLockout {
  const keys = (email: string) => {
    const id = emailKey(email);
    return {
      failures: `${config.keyPrefix}:${id}:failures`,
      lock: `${config.keyPrefix}:${id}:lock`,
    };
  };
  const guarded = async <T>(promise: Promise<T>): Promise<T> => {
    try {
      return await withTimeout(promise, config.timeoutMs, "Login lockout");
    } catch (error) {
      throw limiterUnavailable(error);
    }
  };

  if (!config.enabled) {
    return {
      check: async () => NOT_LOCKED,
      recordFailure: async () => NOT_LOCKED,
      clear: async () => undefined,
    };
  }

  return {
    check: async (email) => toStatus(await guarded(redis.pttl(keys(email).lock))),

    recordFailure: async (email) => {
      const { failures, lock } = keys(email);
      const lockSeconds = await guarded(
        redis.eval(
          RECORD_FAILURE,
          2,
          failures,
          lock,
          config.threshold,
          config.baseSeconds,
          config.maxSeconds,
          config.maxSeconds,
        ),
      );
      return toStatus(Number(lockSeconds) * 1000);
    },

    clear: async (email) => {
      const { failures, lock } = keys(email);
      await guarded(redis.del(failures, lock));
    },
  };
}
