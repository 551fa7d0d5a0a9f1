import { Redis } from "ioredis";

/**
 * Deletes every key under `prefix`: what the apps of one benchmark run wrote (rate-limit
 * counters and the like), which would otherwise sit in the shared Redis until their windows
 * expire. SCAN, not KEYS, so a large Redis is not blocked. The prefix must hold no glob
 * characters (ours are [a-z0-9:]).
 */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`unsafe Redis key prefix "${prefix}"`);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}
