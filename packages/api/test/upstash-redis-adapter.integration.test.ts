import { randomBytes } from "node:crypto";

import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";

import { createUpstashRedisAdapter } from "../src/rate-limit/upstash-redis-adapter";

let redis: Redis;
let prefix: string;
beforeAll(async () => {
  redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  prefix = `${inject("redisKeyPrefix")}adapter-${randomBytes(3).toString("hex")}`;
});
afterAll(() => redis.disconnect());

const WINDOW_MS = 2000;

/** Waits, if need be, so the next calls all land early in one 2 s bucket. */
async function startOfBucket(): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 1500) await new Promise((resolve) => setTimeout(resolve, left + 10));
}

function limiter() {
  return new Ratelimit({
    redis: createUpstashRedisAdapter(redis),
    limiter: Ratelimit.slidingWindow(3, "2 s"),
    prefix,
    ephemeralCache: false,
    timeout: 0,
  });
}

describe("upstash ratelimit over ioredis", () => {
  it("slidingWindow(3, '2 s') allows 3, then refuses, counting remaining down", async () => {
    const ratelimit = limiter();
    const id = `count-${randomBytes(3).toString("hex")}`;
    await startOfBucket();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await ratelimit.limit(id));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(results.map((r) => r.limit)).toEqual([3, 3, 3, 3, 3]);
    for (const r of results) {
      expect(r.reset).toBeGreaterThan(Date.now() - 50);
      expect(r.reset).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
    }
    // Keys sit under the given prefix and expire.
    const keys = await redis.keys(`${prefix}:${id}:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it("survives SCRIPT FLUSH: evalsha gets NOSCRIPT, eval reloads, counts carry on", async () => {
    const ratelimit = limiter();
    const id = `flush-${randomBytes(3).toString("hex")}`;
    await startOfBucket();
    expect((await ratelimit.limit(id)).remaining).toBe(2);
    expect((await ratelimit.limit(id)).remaining).toBe(1);
    await redis.script("FLUSH");
    const third = await ratelimit.limit(id);
    expect(third).toMatchObject({ success: true, remaining: 0 });
    expect((await ratelimit.limit(id)).success).toBe(false);
  });

  it("strips the shebang Redis refuses, stringifies args and sends null as empty", async () => {
    const adapter = createUpstashRedisAdapter(redis);
    const script = "#!lua flags=allow-key-locking\nreturn {KEYS[1], ARGV[1], ARGV[2], ARGV[3]}";
    await expect(adapter.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await adapter.eval(script, ["k"], [7, null, "x"])).toEqual(["k", "7", "", "x"]);
  });
});
