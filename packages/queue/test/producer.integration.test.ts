import { randomUUID } from "node:crypto";

import { silentLogger } from "@lifeline/logger";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import {
  createJobProducer,
  createRedis,
  heartbeatKey,
  purgeExpiredJob,
  readHeartbeats,
  RedisNotReadyError,
  sendEmailJob,
  startHeartbeat,
  waitForRedis,
} from "../src/index";

let redis: Redis;
let n = 0;
const prefix = () => `${inject("redisKeyPrefix")}p${++n}:`;

beforeAll(async () => {
  redis = createRedis(inject("redisUrl"), silentLogger());
  expect(await waitForRedis(redis, 2000)).toBe(true);
});
afterAll(() => redis.disconnect());

const verifyEmail = () => ({ template: "verify-email" as const, userId: randomUUID() });

describe("createJobProducer", () => {
  it("adds one job per id, however many times it is enqueued", async () => {
    const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix() });
    try {
      const payload = verifyEmail();
      const first = await jobs.enqueue(sendEmailJob, payload, { jobId: "once" });
      const second = await jobs.enqueue(sendEmailJob, verifyEmail(), { jobId: "once" });
      expect([first, second]).toEqual(["once", "once"]);
      const queue = jobs.queue("email");
      expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
      expect((await queue.getJob("once"))?.data).toEqual(payload);
    } finally {
      await jobs.close();
    }
  });

  it("applies the job's own options over the defaults, and a delay", async () => {
    const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix() });
    try {
      const emailId = await jobs.enqueue(sendEmailJob, verifyEmail(), { delay: 60_000 });
      const email = await jobs.queue("email").getJob(emailId);
      expect(email?.opts).toMatchObject({
        attempts: 8,
        backoff: { type: "exponential", delay: 30_000 },
        delay: 60_000,
      });
      expect(await jobs.queue("email").getJobState(emailId)).toBe("delayed");

      const purgeId = await jobs.enqueue(purgeExpiredJob, {});
      const purge = await jobs.queue("maintenance").getJob(purgeId);
      expect(purge?.opts).toMatchObject({
        attempts: 5,
        backoff: { type: "exponential", delay: 2000 },
      });
    } finally {
      await jobs.close();
    }
  });

  it("fails fast when Redis is unreachable, instead of holding the caller", async () => {
    const down = createRedis("redis://127.0.0.1:1", silentLogger());
    const jobs = createJobProducer({ connection: down, redisKeyPrefix: prefix() });
    try {
      const started = Date.now();
      await expect(jobs.enqueue(sendEmailJob, verifyEmail())).rejects.toBeInstanceOf(
        RedisNotReadyError,
      );
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await jobs.close().catch(() => undefined);
      down.disconnect();
    }
  });
});

describe("heartbeats", () => {
  it("lists live reports, skips unreadable ones, and a stopped one is gone", async () => {
    const p = prefix();
    const beat = startHeartbeat({ redis, redisKeyPrefix: p, instance: "a", queues: ["email"] });
    await redis.set(heartbeatKey(p, "garbled"), "{not json", "PX", 10_000);
    await expect
      .poll(() => readHeartbeats(redis, p))
      .toEqual([
        { instance: "a", queues: ["email"], pid: process.pid, at: expect.any(Number) as number },
      ]);
    await beat.stop();
    expect(await readHeartbeats(redis, p)).toEqual([]);
  });
});
