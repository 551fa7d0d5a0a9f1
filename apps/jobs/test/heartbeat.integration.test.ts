import { hostname } from "node:os";

import { silentLogger } from "@lifeline/logger";
import { createRedis, heartbeatKey, readHeartbeats, waitForRedis } from "@lifeline/queue";
import { describe, expect, it } from "vitest";

import { startTestJobsApp } from "./support/app";
import { testEnv } from "./support/env";

describe("the heartbeat", () => {
  it("is written while the app runs, expires by itself if it dies, and is removed when it stops", async () => {
    const env = testEnv();
    const redis = createRedis(env.REDIS_URL, silentLogger());
    try {
      await waitForRedis(redis, 2000);
      const running = await startTestJobsApp({
        env,
        workers: [{ queue: "maintenance", concurrency: 1, handlers: [] }],
      });
      try {
        const beats = await readHeartbeats(redis, env.REDIS_KEY_PREFIX);
        expect(beats).toEqual([
          {
            instance: `${hostname()}-${process.pid}`,
            queues: ["maintenance"],
            pid: process.pid,
            at: expect.any(Number) as number,
          },
        ]);
        expect(Date.now() - (beats[0]?.at ?? 0)).toBeLessThan(5000);
        const ttl = await redis.pttl(heartbeatKey(env.REDIS_KEY_PREFIX, beats[0]?.instance ?? ""));
        expect(ttl).toBeGreaterThan(0);
      } finally {
        await running.stop();
      }
      expect(await readHeartbeats(redis, env.REDIS_KEY_PREFIX)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
