import type { Logger } from "@lifeline/logger";
import { Redis } from "ioredis";

/**
 * The API's Redis client. It fails fast instead of queueing: with Redis down, a command errors
 * at once (and each policy decides what that means) rather than holding a request open.
 * Reconnection goes on in the background; errors are logged once per outage, not per retry.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ err: error }, "redis unavailable");
  });
  redis.on("ready", () => {
    if (down) logger.info("redis available again");
    down = false;
  });
  return redis;
}

/**
 * Waits up to `ms` for the first connection, so a healthy server is ready as soon as it
 * listens. Never throws: with Redis down the server still starts, and /readyz says why.
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
