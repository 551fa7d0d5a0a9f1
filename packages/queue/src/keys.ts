/**
 * Where the queues' keys live in Redis: under the deployment's REDIS_KEY_PREFIX, through
 * BullMQ's own `prefix` option (it joins with ":" itself, so the trailing one is dropped).
 * `lifeline:` gives `lifeline:bull:<queue>:…`.
 */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}bull`;
}

/** The key under which a jobs process reports that it is alive (see heartbeat.ts). */
export function heartbeatKey(redisKeyPrefix: string, instance: string): string {
  return `${redisKeyPrefix}jobs:heartbeat:${instance}`;
}

export function heartbeatPattern(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}jobs:heartbeat:*`;
}
