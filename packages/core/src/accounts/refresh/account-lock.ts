import { randomBytes } from "node:crypto";

/** The Redis commands the lock uses (an ioredis client satisfies it). */
export interface LockRedis {
  set(key: string, value: string, px: "PX", milliseconds: number, nx: "NX"): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

export interface AccountLocksOptions {
  redis: LockRedis;
  /** REDIS_KEY_PREFIX: keys are `<prefix>accounts:lock:<accountId>`. */
  keyPrefix: string;
  /**
   * How long a holder may keep the lock before it lapses by itself (a crashed holder). Longer
   * than a refresh can take: the provider call's timeout plus the database write.
   */
  ttlMs: number;
  /** How long a second caller waits for the holder before giving up (default 15 s). */
  waitMs?: number;
  /** Between two tries of a waiting caller (default 50 ms). */
  pollMs?: number;
}

/**
 * What `withLock` reports: `held` when this caller ran `work` under the lock; `waited` when
 * another caller held it and released it meanwhile (the caller re-reads what the holder
 * wrote rather than doing the work again); `busy` when it was still held after the wait.
 */
export type LockResult<T> = { kind: "held"; value: T } | { kind: "waited" } | { kind: "busy" };

/**
 * One lock per linked account around "read tokens → refresh → write tokens", shared by the
 * sweep, accounts.refresh and every on-demand refresh (any process): X spends a refresh
 * token on first use, so two refreshes at once would strand the account.
 */
export interface AccountLocks {
  withLock<T>(accountId: string, work: () => Promise<T>): Promise<LockResult<T>>;
}

// Deletes the key only if it still holds our token: a holder whose lock lapsed never
// releases the next holder's.
const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createAccountLocks(options: AccountLocksOptions): AccountLocks {
  const { redis, ttlMs } = options;
  const waitMs = options.waitMs ?? 15_000;
  const pollMs = options.pollMs ?? 50;
  const keyOf = (accountId: string) => `${options.keyPrefix}accounts:lock:${accountId}`;
  const acquire = async (key: string, token: string) =>
    (await redis.set(key, token, "PX", ttlMs, "NX")) === "OK";

  return {
    async withLock(accountId, work) {
      const key = keyOf(accountId);
      const token = randomBytes(16).toString("hex");
      if (await acquire(key, token)) {
        try {
          return { kind: "held", value: await work() };
        } finally {
          await redis.eval(RELEASE, 1, key, token);
        }
      }
      // Someone else is refreshing this account: wait for them, then let the caller read
      // what they wrote. Acquiring is how we notice the release, so release it at once.
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        await sleep(pollMs);
        if (await acquire(key, token)) {
          await redis.eval(RELEASE, 1, key, token);
          return { kind: "waited" };
        }
      }
      return { kind: "busy" };
    },
  };
}
