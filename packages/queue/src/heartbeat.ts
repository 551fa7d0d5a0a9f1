import type { Redis } from "ioredis";

import { heartbeatKey, heartbeatPattern } from "./keys";

export interface Heartbeat {
  instance: string;
  /** Queues this process works on. */
  queues: string[];
  pid: number;
  /** When it last reported, ms since the epoch. */
  at: number;
}

/** How often a jobs process reports; a report lives three periods, so one missed beat is fine. */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * A jobs process says it is alive: a key of its own, renewed every interval, that expires by
 * itself when the process dies without stopping. Stopping deletes it.
 */
export function startHeartbeat(options: {
  redis: Redis;
  redisKeyPrefix: string;
  instance: string;
  queues: string[];
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): { stop: () => Promise<void> } {
  const interval = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const key = heartbeatKey(options.redisKeyPrefix, options.instance);
  const beat = async () => {
    const value: Heartbeat = {
      instance: options.instance,
      queues: options.queues,
      pid: process.pid,
      at: Date.now(),
    };
    await options.redis.set(key, JSON.stringify(value), "PX", interval * 3);
  };
  const tick = () => {
    beat().catch((error: unknown) => options.onError?.(error));
  };
  tick();
  const timer = setInterval(tick, interval);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await options.redis.del(key);
    },
  };
}

/** Every live jobs process's latest report (an expired report is gone from Redis). */
export async function readHeartbeats(redis: Redis, redisKeyPrefix: string): Promise<Heartbeat[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(
      cursor,
      "MATCH",
      heartbeatPattern(redisKeyPrefix),
      "COUNT",
      100,
    );
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.flatMap((value) => {
    if (!value) return [];
    try {
      return [JSON.parse(value) as Heartbeat];
    } catch {
      return [];
    }
  });
}
