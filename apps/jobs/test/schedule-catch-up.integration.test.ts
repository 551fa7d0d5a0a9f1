import { silentLogger } from "@lifeline/logger";
import { createRedis, slotJobId, waitForRedis, type Schedule } from "@lifeline/queue";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { handle } from "../src/handler";
import type { QueueWorkerSpec } from "../src/run-workers";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { tickJob } from "./support/test-jobs";
import { sleep, waitFor } from "./support/wait";

const DAY_MS = 24 * 3600 * 1000;

/**
 * A daily schedule whose time of day is 12 hours from now: it will not fire during the test,
 * and its latest slot (12 hours ago) is easy to compute here without the scheduler's code.
 */
function dailySchedule(now = new Date()) {
  const hour = (now.getUTCHours() + 12) % 24;
  const minute = now.getUTCMinutes();
  const schedule: Schedule = {
    name: "daily-tick",
    cron: `${minute} ${hour} * * *`,
    timezone: "UTC",
    job: tickJob,
    payload: {},
  };
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour, minute);
  const latestSlot = today <= now.getTime() ? today : today - DAY_MS;
  return { schedule, latestSlot };
}

let redis: Redis;
beforeAll(async () => {
  redis = createRedis(testEnv().REDIS_URL, silentLogger());
  await waitForRedis(redis, 2000);
});
afterAll(() => redis.disconnect());

let running: TestJobsApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("a slot missed while no jobs process ran", () => {
  it("runs once at start-up, only the latest one, and not again at the next start", async () => {
    const env = testEnv();
    const { schedule, latestSlot } = dailySchedule();
    const lastKey = `${env.REDIS_KEY_PREFIX}schedules:last:${schedule.name}`;
    const ran: string[] = [];
    const workers: QueueWorkerSpec[] = [
      {
        queue: "maintenance",
        concurrency: 1,
        handlers: [handle(tickJob, async (_p, { job }) => void ran.push(job.id ?? ""))],
      },
    ];
    const start = async () => {
      running = await startTestJobsApp({ env, schedules: [schedule], workers });
      return running;
    };

    // A deployment's very first start: nothing was missed, the latest slot is remembered.
    let app = await start();
    await sleep(300);
    expect(ran).toEqual([]);
    expect(await redis.get(lastKey)).toBe(String(latestSlot));
    await app.stop();

    // Every process was down for three days: three slots were missed.
    await redis.set(lastKey, String(latestSlot - 3 * DAY_MS));
    app = await start();
    await waitFor("the missed slot to run", () => ran.length === 1);
    expect(ran).toEqual([slotJobId(schedule, new Date(latestSlot))]);
    expect(await redis.get(lastKey)).toBe(String(latestSlot));
    const warnings = (await app.logLines()).filter((l) => l.msg.startsWith("a slot was missed"));
    expect(warnings).toHaveLength(1);
    await app.stop();

    // The next start finds the slot recorded: nothing to catch up.
    app = await start();
    await sleep(500);
    expect(ran).toHaveLength(1);
    const queue = app.app.dependencies.deps.jobs.queue("maintenance");
    expect(await queue.getJobCounts("completed", "waiting", "delayed")).toEqual({
      completed: 1,
      waiting: 0,
      delayed: 0,
    });
  });
});
