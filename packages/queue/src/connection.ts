import type { Logger } from "@lifeline/logger";
import { Redis } from "ioredis";

/**
 * How a Redis connection is used, which decides how it behaves when Redis is down:
 * - "client": an API request's commands (rate limits, caches, enqueueing). Fails fast: a
 *   command errors at once instead of queueing, and each caller's policy decides what that
 *   means, rather than a request hanging.
 * - "worker": a BullMQ Worker's blocking connection. BullMQ requires
 *   `maxRetriesPerRequest: null` (it retries itself), and a worker should wait out an outage.
 */
export type RedisRole = "client" | "worker";

/**
 * A Redis connection for `role`. Reconnection goes on in the background; errors are logged
 * once per outage, not per retry. Keys are never prefixed here: BullMQ refuses a connection
 * with ioredis's `keyPrefix`, so every user prefixes its own keys (see keys.ts).
 */
export function createRedis(url: string, logger: Logger, role: RedisRole = "client"): Redis {
  const redis = new Redis(url, {
    ...(role === "client"
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 }
      : { maxRetriesPerRequest: null }),
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ err: error, role }, "redis unavailable");
  });
  redis.on("ready", () => {
    if (down) logger.info({ role }, "redis available again");
    down = false;
  });
  return redis;
}

/**
 * Waits up to `ms` for the first connection, so a healthy process is ready as soon as it
 * starts. Never throws: with Redis down the process still starts, and /readyz says why.
 */
export async function waitForRedis(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === "ready") return true;
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => {
      done(true);
    };
    const timer = setTimeout(() => {
      done(false);
    }, ms);
    redis.once("ready", onReady);
  });
}
