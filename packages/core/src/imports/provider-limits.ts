import type { ProviderId } from "@lifeline/providers";

/** The Redis calls the limits make (ioredis fits). */
export interface LimitsRedis {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  set(key: string, value: string, mode: "PX", ms: number): Promise<unknown>;
  zadd(key: string, mode: "XX", score: number, member: string): Promise<unknown>;
  pttl(key: string): Promise<number>;
  zrem(key: string, member: string): Promise<number>;
}

export interface ProviderLimitsOptions {
  redis: LimitsRedis;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  /** Downloads of one linked account at once (JOBS_IMPORT_ACCOUNT_CONCURRENCY). */
  perAccount: number;
  /** How long a slot is held without renewal (a killed process frees its slot then). */
  leaseMs?: number;
}

/** A download slot: renew it while the download runs, release it once the provider's part is over. */
export interface AccountSlot {
  /** Extends the lease of a slot still held (never takes one back after a release). */
  renew(): Promise<void>;
  release(): Promise<void>;
  /** Takes the slot again after a release; false when the account's slots are all busy. */
  retake(): Promise<boolean>;
}

/**
 * The provider's limits, shared by every jobs process through Redis:
 * - a pause per provider: after a 429, no download of that provider starts until the
 *   provider's Retry-After has passed;
 * - a semaphore per linked account: at most `perAccount` downloads at once (Outlook allows
 *   4 concurrent requests per mailbox). Slots are leases, so a process killed mid-download
 *   frees its slot when the lease lapses.
 */
export interface ProviderLimits {
  /** Milliseconds the provider's downloads are still paused for; 0 when they are not. */
  pausedFor(provider: ProviderId): Promise<number>;
  pause(provider: ProviderId, ms: number): Promise<void>;
  /** A slot, or null when the account's downloads are all taken. */
  acquire(linkedAccountId: string, holder: string): Promise<AccountSlot | null>;
}

// KEYS[1] the account's slots (a sorted set of holders scored by lease end).
// ARGV: now, lease end, limit, holder. 1 when the slot is taken (or renewed), else 0.
const ACQUIRE = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
if redis.call("ZSCORE", KEYS[1], ARGV[4]) or redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[3]) then
  redis.call("ZADD", KEYS[1], ARGV[2], ARGV[4])
  redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[2]) - tonumber(ARGV[1]))
  return 1
end
return 0
`;

const DEFAULT_LEASE_MS = 60_000;

export function createProviderLimits(options: ProviderLimitsOptions): ProviderLimits {
  const { redis, keyPrefix, perAccount } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pauseKey = (provider: ProviderId) => `${keyPrefix}imports:pause:${provider}`;
  const slotsKey = (accountId: string) => `${keyPrefix}imports:slots:${accountId}`;

  const take = async (key: string, holder: string) => {
    const now = Date.now();
    const taken = await redis.eval(ACQUIRE, 1, key, now, now + leaseMs, perAccount, holder);
    return taken === 1;
  };

  return {
    async pausedFor(provider) {
      const ms = await redis.pttl(pauseKey(provider));
      return ms > 0 ? ms : 0;
    },
    async pause(provider, ms) {
      await redis.set(pauseKey(provider), "1", "PX", Math.max(1, Math.round(ms)));
    },
    async acquire(linkedAccountId, holder) {
      const key = slotsKey(linkedAccountId);
      if (!(await take(key, holder))) return null;
      return {
        renew: async () => {
          await redis.zadd(key, "XX", Date.now() + leaseMs, holder);
        },
        retake: () => take(key, holder),
        release: async () => {
          await redis.zrem(key, holder);
        },
      };
    },
  };
}
