import type { Redis } from "ioredis";

import type { ReadinessCheck } from "../routes/health";

/** The only policy under which Redis never drops a key to make room: queued jobs are keys. */
const SAFE_POLICY = "noeviction";

/**
 * Redis answers PING; also reports its `maxmemory-policy`, with a warning unless it is
 * noeviction (under any other policy a full Redis silently evicts queued jobs). Managed
 * Redis often refuses CONFIG: then the policy is "unknown", which is no reason to warn.
 */
export function redisCheck(redis: Redis): ReadinessCheck {
  return async () => {
    await redis.ping();
    const policy = await maxmemoryPolicy(redis);
    const warnings =
      policy === SAFE_POLICY || policy === "unknown"
        ? []
        : [
            `redis maxmemory-policy is ${policy}: under memory pressure Redis may evict queued jobs; set it to ${SAFE_POLICY}`,
          ];
    return { status: "ok", details: { maxmemoryPolicy: policy }, warnings };
  };
}

/** CONFIG GET's answer (a [name, value] list, or a map under RESP3), or "unknown". */
async function maxmemoryPolicy(redis: Redis): Promise<string> {
  let reply: unknown;
  try {
    reply = await redis.config("GET", "maxmemory-policy");
  } catch {
    return "unknown";
  }
  const value: unknown = Array.isArray(reply)
    ? reply[1]
    : reply instanceof Map
      ? reply.get("maxmemory-policy")
      : undefined;
  // A policy name, never anything else a server might send back.
  return typeof value === "string" && /^[a-z-]{1,40}$/.test(value) ? value : "unknown";
}
