import { silentLogger } from "@lifeline/logger";
import {
  createJobProducer,
  createRedis,
  readHeartbeats,
  waitForRedis,
  type JobProducer,
} from "@lifeline/queue";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { testEnvVars } from "./support/env";
import { spawnTs, startFixture, type SpawnedProcess } from "./support/spawn";
import { recordKeys, slowJob } from "./support/test-jobs";
import { waitFor } from "./support/wait";

let redis: Redis;
beforeAll(async () => {
  redis = createRedis(testEnvVars().REDIS_URL ?? "", silentLogger());
  await waitForRedis(redis, 2000);
});
afterAll(() => redis.disconnect());

const spawned: SpawnedProcess[] = [];
const producers: JobProducer[] = [];
afterEach(async () => {
  for (const p of spawned.splice(0)) p.kill("SIGKILL");
  for (const p of producers.splice(0)) await p.close();
});

async function fixture(args: string[], env: Record<string, string>) {
  const started = await startFixture(args, env);
  spawned.push(started);
  return started;
}

/** A test's own prefix, its producer, and the lists its fixture processes append to. */
function setUp(overrides: Record<string, string>) {
  const env = testEnvVars(overrides);
  const prefix = env.REDIS_KEY_PREFIX ?? "";
  const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
  producers.push(jobs);
  const keys = recordKeys(prefix);
  const list = (key: string) => redis.lrange(key, 0, -1);
  return { env, jobs, queue: jobs.queue("maintenance"), keys, list };
}

describe("SIGTERM while a job runs", () => {
  it("returns a job cut short to its queue with no attempt spent; another process completes it once", async () => {
    const { env, jobs, queue, keys, list } = setUp({ JOBS_SHUTDOWN_TIMEOUT_MS: "1000" });
    const first = await fixture(["slow", "60000"], env);
    const id = await jobs.enqueue(slowJob, {}, { jobId: "slow-1" });
    await waitFor("the job to start", async () => (await list(keys.started)).length === 1);

    const signalledAt = Date.now();
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    // The deadline (1 s) and the handler's prompt give-way, not the 60 s job, set the pace.
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(first.output()).toContain("job returned to its queue by the shutdown");
    expect(await queue.getJobState(id)).toBe("waiting");
    expect((await queue.getJob(id))?.attemptsMade).toBe(0);
    expect(await list(keys.completed)).toEqual([]);

    const second = await fixture(["slow", "100"], { ...env, LOG_DIR: testEnvVars().LOG_DIR ?? "" });
    await waitFor("the job to complete", async () => (await queue.getJobState(id)) === "completed");
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(await list(keys.started)).toEqual([`${id} ${first.pid}`, `${id} ${second.pid}`]);
    expect(await list(keys.completed)).toEqual([`${id} ${second.pid}`]);
    expect(await queue.getFailedCount()).toBe(0);
  }, 60_000);

  it("lets a job that finishes within the deadline complete during the drain, and not run again", async () => {
    const { env, jobs, queue, keys, list } = setUp({ JOBS_SHUTDOWN_TIMEOUT_MS: "10000" });
    const process = await fixture(["slow", "1500"], env);
    const id = await jobs.enqueue(slowJob, {}, { jobId: "slow-2" });
    await waitFor("the job to start", async () => (await list(keys.started)).length === 1);

    process.kill("SIGTERM");
    expect(await process.exited).toBe(0);
    expect(await queue.getJobState(id)).toBe("completed");
    expect(await list(keys.completed)).toEqual([`${id} ${process.pid}`]);
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed");
    expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }, 60_000);

  it("still stops, and says so, when a job ignores its signal", async () => {
    const { env, jobs, keys, list } = setUp({ JOBS_SHUTDOWN_TIMEOUT_MS: "1000" });
    const process = await fixture(["stubborn", "60000"], env);
    await jobs.enqueue(slowJob, {}, { jobId: "slow-3" });
    await waitFor("the job to start", async () => (await list(keys.started)).length === 1);

    const signalledAt = Date.now();
    process.kill("SIGTERM");
    const code = await process.exited;
    // Deadline (1 s) + the time a handler gets to give way (5 s), well before the 15 s
    // margin main.ts adds: the process does not hang on the job.
    expect(Date.now() - signalledAt).toBeLessThan(9000);
    expect(process.output()).toContain("jobs ignored the shutdown");
    // A step that could not finish its work is a failed shutdown.
    expect(code).toBe(1);
  }, 60_000);

  it("arriving while the app is still starting, waits for the start, then stops it cleanly", async () => {
    const { env } = setUp({});
    const prefix = env.REDIS_KEY_PREFIX ?? "";
    const starting = spawnTs("test/fixtures/jobs-process.ts", ["slow-start", "1500"], env);
    spawned.push(starting);
    await waitFor(
      "the app to run (its start not finished)",
      () => starting.output().includes("fixture app running\n"),
      30_000,
    );
    // Workers and heartbeat exist already: the signal must stop them, not kill the process.
    expect(await readHeartbeats(redis, prefix)).toHaveLength(1);
    starting.kill("SIGTERM");
    expect(await starting.exited).toBe(0);
    expect(starting.output()).toContain("shutdown complete");
    expect(await readHeartbeats(redis, prefix)).toEqual([]);
  }, 60_000);
});
