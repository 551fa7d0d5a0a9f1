import { createHash } from "node:crypto";

import type { Redis as UpstashRedis } from "@upstash/redis";
import type { Redis as IORedis } from "ioredis";

/**
 * @upstash/ratelimit is written for Upstash's REST client; this lets it run on a plain
 * ioredis connection to a stock Redis. With analytics and deny-list protection off (as
 * rate-limits.ts keeps them) it only ever calls `evalsha`, then `eval` when `evalsha`
 * fails with "NOSCRIPT", so those two are all this implements.
 */

type EvalArgs = Parameters<UpstashRedis["eval"]>;
type EvalshaArgs = Parameters<UpstashRedis["evalsha"]>;

/** The subset of @upstash/redis's `Redis` that @upstash/ratelimit uses. */
interface ScriptRunner {
  eval: (...args: EvalArgs) => Promise<unknown>;
  evalsha: (...args: EvalshaArgs) => Promise<unknown>;
}

// Upstash's scripts start with `#!lua flags=allow-key-locking`, a flag only Upstash knows:
// stock Redis refuses the script ("Unexpected flag in script shebang"). Without a shebang
// Redis runs it the classic way, which is what these scripts need.
const SHEBANG = /^#!lua[^\n]*\n/;

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/** Redis takes arguments as strings; Upstash's REST client sends null as an empty one. */
function toRedisArg(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  return JSON.stringify(value);
}

export function createUpstashRedisAdapter(redis: IORedis): UpstashRedis {
  // Upstash names each script by sha1 of its original text; Redis knows it by sha1 of the
  // stripped text. Learned on the first `eval` of each script.
  const redisShaByUpstashSha = new Map<string, string>();

  const runner: ScriptRunner = {
    eval: async (script, keys, args) => {
      const stripped = script.replace(SHEBANG, "");
      redisShaByUpstashSha.set(sha1(script), sha1(stripped));
      // EVAL also caches the script in Redis, so the next EVALSHA finds it.
      return redis.eval(stripped, keys.length, ...keys, ...args.map(toRedisArg));
    },
    evalsha: async (upstashSha, keys, args) => {
      const redisSha = redisShaByUpstashSha.get(upstashSha);
      // Ratelimit falls back to `eval` on any error whose text contains NOSCRIPT; Redis itself
      // answers NOSCRIPT after SCRIPT FLUSH or a restart, which takes the same path.
      if (!redisSha) throw new Error("NOSCRIPT script not yet loaded through this adapter");
      return redis.evalsha(redisSha, keys.length, ...keys, ...args.map(toRedisArg));
    },
  };
  // The one cast: Ratelimit's config types the client as the whole REST `Redis` class and
  // each call's reply as the caller's choice, but it only calls the two methods above and
  // reads the replies of its own scripts, which ioredis returns in the same shape.
  return runner as unknown as UpstashRedis;
}
