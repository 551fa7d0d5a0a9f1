import type { Logger } from "@lifeline/logger";

/** The Redis commands the cache uses (an ioredis client satisfies it). */
export interface TimelineCacheRedis {
  get(key: string): Promise<string | null>;
  mget(...keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, mode: "EX", seconds: number): Promise<unknown>;
  incr(key: string): Promise<number>;
}

export interface TimelineCacheOptions {
  redis: TimelineCacheRedis;
  /** REDIS_KEY_PREFIX: keys are `<prefix>media:version:<userId>` and `<prefix>media:timeline:…`. */
  keyPrefix: string;
  logger: Logger;
  /** How long an entry lives (default 5 minutes): a bound on memory, not on staleness. */
  ttlSeconds?: number;
  /** How long one Redis call may take before the cache is bypassed (default 250 ms). */
  timeoutMs?: number;
}

/**
 * Hot timeline reads (the first page of media.list per filter set, media.buckets), per user,
 * in Redis. Entries are keyed by a per-user version number that every write changing the
 * user's timeline increments (`invalidate`), so an entry written before a write is never read
 * after it: no stale read, whatever the entry's age. Redis trouble (down, slow) never fails a
 * read: it reads through to Postgres, and logs once per outage.
 */
export interface TimelineCache {
  /** The cached value of `key` for this user, or `load()`'s, which is then cached. */
  read<T>(userId: string, key: string, load: () => Promise<T>): Promise<T>;
  /**
   * Makes every cached read of this user's timeline stale. Call it AFTER the write has
   * committed (a read between the commit and this call may still see the old entry; one
   * after it never does). Never throws: if Redis cannot be reached, the failure is logged and
   * this process owes an epoch bump, which retires every user's entries at its next cache
   * call that reaches Redis (until then it bypasses the cache). Entries expire within the TTL
   * in any case.
   */
  invalidate(userId: string): Promise<void>;
}

const DEFAULT_TTL_SECONDS = 5 * 60;
const DEFAULT_TIMEOUT_MS = 250;
/** Bumped when the cached shapes change, so a deploy never reads the previous format. */
const FORMAT = "v1";

class CacheTimeoutError extends Error {
  override name = "CacheTimeoutError";
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(`Redis took over ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Attempt<T> = { ok: true; value: T } | { ok: false };

export function createTimelineCache(options: TimelineCacheOptions): TimelineCache {
  const { redis, keyPrefix, logger } = options;
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let degraded = false;
  /** An invalidation failed: until the epoch is bumped, no entry may be trusted. */
  let epochBumpOwed = false;

  const epochKey = `${keyPrefix}media:epoch`;
  const versionKey = (userId: string) => `${keyPrefix}media:version:${userId}`;
  const entryKey = (userId: string, epoch: string, version: string, key: string) =>
    `${keyPrefix}media:timeline:${userId}:${FORMAT}:${epoch}:${version}:${key}`;

  /** Runs a Redis call within the timeout; logs once per outage (and once on recovery). */
  async function attempt<T>(operation: string, work: () => Promise<T>): Promise<Attempt<T>> {
    try {
      const value = await withTimeout(work(), timeoutMs);
      if (degraded) {
        degraded = false;
        logger.info("timeline cache: Redis answers again");
      }
      return { ok: true, value };
    } catch (error) {
      if (!degraded) {
        degraded = true;
        logger.warn(
          { err: error, operation },
          "timeline cache unavailable: reading through to Postgres",
        );
      }
      return { ok: false };
    }
  }

  /**
   * After a failed invalidation, every entry of every user is suspect (we cannot tell whose
   * write was missed once Redis is back): one INCR of the shared epoch retires them all.
   */
  async function settleEpoch(): Promise<boolean> {
    if (!epochBumpOwed) return true;
    const bumped = await attempt("bump epoch", () => redis.incr(epochKey));
    if (bumped.ok) epochBumpOwed = false;
    return bumped.ok;
  }

  return {
    async read<T>(userId: string, key: string, load: () => Promise<T>): Promise<T> {
      if (!(await settleEpoch())) return load();
      // Epoch and version are read BEFORE loading: if a write lands while we load, what we
      // store goes under the old version, which no later read asks for.
      const stamps = await attempt("read version", () => redis.mget(epochKey, versionKey(userId)));
      if (!stamps.ok) return load();
      const [epoch, version] = stamps.value;
      const entry = entryKey(userId, epoch ?? "0", version ?? "0", key);
      const cached = await attempt("read entry", () => redis.get(entry));
      if (cached.ok && cached.value !== null) return JSON.parse(cached.value) as T;
      const value = await load();
      if (cached.ok) {
        await attempt("write entry", () => redis.set(entry, JSON.stringify(value), "EX", ttl));
      }
      return value;
    },

    async invalidate(userId: string): Promise<void> {
      await settleEpoch();
      // No expiry on versions or the epoch: if one vanished and counted up again from 0, an
      // entry written under an old number could come back. One small key per user who wrote.
      const done = await attempt("invalidate", () => redis.incr(versionKey(userId)));
      if (!done.ok) {
        epochBumpOwed = true;
        logger.error(
          { userId },
          "timeline cache: could not invalidate; this process bypasses the cache until it can retire every entry",
        );
      }
    },
  };
}

/**
 * After any write that changes what a user's timeline shows (an upload or import stored, an
 * item deleted, a thumbnail ready), once the write has committed.
 */
export function invalidateTimeline(cache: TimelineCache, userId: string): Promise<void> {
  return cache.invalidate(userId);
}
