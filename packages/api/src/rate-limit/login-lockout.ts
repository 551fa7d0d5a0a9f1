import type { Redis as IORedis } from "ioredis";

import { emailKey } from "./email-key";
import { limiterUnavailable } from "./limiter-unavailable";
import { withTimeout } from "./with-timeout";

export interface LoginLockoutConfig {
  enabled: boolean;
  /** Full key prefix, e.g. `lifeline:lockout`. */
  keyPrefix: string;
  /** Consecutive failures from one client on one account that lock that client out of it. */
  threshold: number;
  /** Length of the first lock; each further failure doubles it... */
  baseSeconds: number;
  /** ...up to this. */
  maxSeconds: number;
  /** Failures on one account from all clients together within the window that lock it for all. */
  accountMaxFailures: number;
  accountWindowSeconds: number;
  timeoutMs: number;
}

/** Who is trying: the account (by email, known or not) and the client (see clientKey). */
export interface Attempt {
  email: string;
  client: string;
}

export interface LockoutStatus {
  locked: boolean;
  /** Seconds until the lock ends; 0 when not locked. */
  retryAfterSeconds: number;
  /** "client": this client is locked out of this account; "account": everyone is. */
  scope?: "client" | "account";
}

export interface FailureOutcome extends LockoutStatus {
  /** True for the one failure that locked the whole account (to audit and alert once). */
  accountLockedNow: boolean;
}

/**
 * Lockout with growing delays, counted per account AND client: a stranger's failures delay
 * only the stranger, so nobody can lock an owner out by failing on purpose from elsewhere.
 * Against guessing spread over many clients, a much higher account-wide ceiling locks the
 * account for everyone until its window passes (the trade-off: a large botnet can still
 * lock an account, but only by spending that many guesses, and a password reset clears it).
 * Keyed by the hashed email whether or not an account exists, so a lock reveals nothing.
 *
 * Every method fails closed: a Redis error or timeout throws SERVICE_UNAVAILABLE.
 */
export interface LoginLockout {
  check(attempt: Attempt): Promise<LockoutStatus>;
  /** Counts a failed password check; returns the status it leads to. */
  recordFailure(attempt: Attempt): Promise<FailureOutcome>;
  /** Forgets this client's failures on this account, after it proved the password. */
  clear(attempt: Attempt): Promise<void>;
  /** Forgets every failure and lock of the account (a password reset proves ownership). */
  clearAccount(email: string): Promise<void>;
}

// One atomic step, so concurrent failures cannot lose counts or set a shorter lock.
// Client: after `threshold` failures, lock for base * 2^(failures - threshold), capped at
// max (the exponent is capped too, so Lua's float never overflows before the cap applies);
// the counter outlives the lock by `memory` seconds, so a failure soon after a lock ends
// locks for longer, while a client that stops is forgotten and Redis does not grow.
// Account: a fixed window of failures; past the ceiling, a lock until the window ends.
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

local accountFailures = redis.call("INCR", KEYS[3])
if accountFailures == 1 then redis.call("EXPIRE", KEYS[3], tonumber(ARGV[6])) end
local lockedNow = 0
if accountFailures > tonumber(ARGV[5]) then
  local windowLeft = redis.call("PTTL", KEYS[3])
  if windowLeft <= 0 then windowLeft = tonumber(ARGV[6]) * 1000 end
  if redis.call("SET", KEYS[4], accountFailures, "PX", windowLeft, "NX") then lockedNow = 1 end
end
return { lockSeconds * 1000, redis.call("PTTL", KEYS[4]), lockedNow }
`;

const CHECK = `return { redis.call("PTTL", KEYS[1]), redis.call("PTTL", KEYS[2]) }`;

const NOT_LOCKED: LockoutStatus = { locked: false, retryAfterSeconds: 0 };

/** PTTL answers -2 for no key and -1 for no expiry (never set here; treated as unlocked). */
function toStatus(clientMs: number, accountMs: number): LockoutStatus {
  const scope = accountMs > 0 && accountMs >= clientMs ? "account" : "client";
  const ms = Math.max(clientMs, accountMs);
  if (ms <= 0) return NOT_LOCKED;
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)), scope };
}

function numbers(reply: unknown): number[] {
  return Array.isArray(reply) ? reply.map(Number) : [];
}

export function createLoginLockout(redis: IORedis, config: LoginLockoutConfig): LoginLockout {
  const keys = ({ email, client }: Attempt) => {
    const account = `${config.keyPrefix}:${emailKey(email)}`;
    return {
      failures: `${account}:client:${client}:failures`,
      lock: `${account}:client:${client}:lock`,
      accountFailures: `${account}:account:failures`,
      accountLock: `${account}:account:lock`,
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
      recordFailure: async () => ({ ...NOT_LOCKED, accountLockedNow: false }),
      clear: async () => undefined,
      clearAccount: async () => undefined,
    };
  }

  return {
    check: async (attempt) => {
      const k = keys(attempt);
      const [clientMs = -2, accountMs = -2] = numbers(
        await guarded(redis.eval(CHECK, 2, k.lock, k.accountLock)),
      );
      return toStatus(clientMs, accountMs);
    },

    recordFailure: async (attempt) => {
      const k = keys(attempt);
      const [clientMs = 0, accountMs = -2, lockedNow = 0] = numbers(
        await guarded(
          redis.eval(
            RECORD_FAILURE,
            4,
            k.failures,
            k.lock,
            k.accountFailures,
            k.accountLock,
            config.threshold,
            config.baseSeconds,
            config.maxSeconds,
            config.maxSeconds,
            config.accountMaxFailures,
            config.accountWindowSeconds,
          ),
        ),
      );
      return { ...toStatus(clientMs, accountMs), accountLockedNow: lockedNow === 1 };
    },

    clear: async (attempt) => {
      const k = keys(attempt);
      await guarded(redis.del(k.failures, k.lock));
    },

    clearAccount: async (email) => {
      const prefix = `${config.keyPrefix}:${emailKey(email)}:`;
      // An account has few keys (one pair per client that failed recently): SCAN is cheap.
      let cursor = "0";
      do {
        const [next, found] = await guarded(
          redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 200),
        );
        cursor = next;
        if (found.length) await guarded(redis.unlink(...found));
      } while (cursor !== "0");
    },
  };
}
