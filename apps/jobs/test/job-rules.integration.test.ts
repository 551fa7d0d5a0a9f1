import { readFileSync } from "node:fs";
import path from "node:path";

import { silentLogger } from "@lifeline/logger";
import {
  createJobProducer,
  createRedis,
  JobPayloadError,
  sendEmailJob,
  waitForRedis,
} from "@lifeline/queue";
import type { Job } from "bullmq";
import { afterEach, describe, expect, inject, it } from "vitest";

import { handle } from "../src/handler";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { failingJob, recordJob } from "./support/test-jobs";
import { waitFor } from "./support/wait";

let running: TestJobsApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("a payload that fails its schema", () => {
  it("is refused at enqueue, naming the field, and nothing reaches Redis", async () => {
    const prefix = `${inject("redisKeyPrefix")}refused:`;
    const redis = createRedis(inject("redisUrl"), silentLogger());
    const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
    try {
      expect(await waitForRedis(redis, 2000)).toBe(true);
      const refused = jobs.enqueue(sendEmailJob, {
        template: "verify-email",
        userId: "not-a-uuid",
      });
      await expect(refused).rejects.toBeInstanceOf(JobPayloadError);
      await expect(refused).rejects.toMatchObject({ job: "email.send" });
      await expect(refused).rejects.toThrow(/userId/);
      // A template that does not exist is refused the same way.
      await expect(
        jobs.enqueue(sendEmailJob, { template: "nope" } as unknown as Parameters<
          typeof jobs.enqueue<typeof sendEmailJob>
        >[1]),
      ).rejects.toBeInstanceOf(JobPayloadError);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await jobs.close();
      redis.disconnect();
    }
  });

  it("fails at once in the worker if it got in some other way: no retries, kept in the failed set", async () => {
    let ran = 0;
    running = await startTestJobsApp({
      workers: [
        {
          queue: "maintenance",
          concurrency: 1,
          handlers: [
            handle(recordJob, async () => {
              ran++;
            }),
          ],
        },
      ],
    });
    const queue = running.app.dependencies.deps.jobs.queue("maintenance");
    // Straight through BullMQ, as an older deployment or a hand-made job would.
    const bad = await queue.add("test.record", { n: "seven" }, { attempts: 5, backoff: 10 });
    const unknown = await queue.add("test.no-such-job", { n: 1 }, { attempts: 5, backoff: 10 });

    for (const id of [bad.id, unknown.id]) {
      await waitFor(
        `job ${id} to fail`,
        async () => (await queue.getJobState(id ?? "")) === "failed",
      );
    }
    const failedBad = await queue.getJob(bad.id ?? "");
    expect(failedBad?.attemptsMade).toBe(1);
    expect(failedBad?.failedReason).toMatch(/Payload of test.record is invalid: n:/);
    expect(failedBad?.data).toEqual({ n: "seven" });
    const failedUnknown = await queue.getJob(unknown.id ?? "");
    expect(failedUnknown?.attemptsMade).toBe(1);
    expect(failedUnknown?.failedReason).toBe("No handler for test.no-such-job on maintenance");
    expect(ran).toBe(0);
    expect((await queue.getFailed()).map((j) => j.id).sort()).toEqual([bad.id, unknown.id].sort());

    const errors = (await running.logLines("error.log")).filter(
      (l) => l.msg === "job failed for good; kept in the failed set",
    );
    expect(errors.map((l) => l.jobId).sort()).toEqual([bad.id, unknown.id].sort());
  });
});

describe("a failing job", () => {
  it("is retried with exponential backoff, then logged at error level (secrets redacted) and kept", async () => {
    const attempts: Array<{ attempt: number; startedAt: number }> = [];
    running = await startTestJobsApp({
      workers: [
        {
          queue: "maintenance",
          concurrency: 1,
          handlers: [
            handle(failingJob, async (_payload, { job }: { job: Job }) => {
              attempts.push({ attempt: job.attemptsMade + 1, startedAt: job.processedOn ?? 0 });
              throw new Error("the mail server said no");
            }),
          ],
        },
      ],
    });
    const { jobs } = running.app.dependencies.deps;
    const secret = "tok_do-not-log-this-value";
    const id = await jobs.enqueue(failingJob, { userId: "user-42", token: secret });
    const queue = jobs.queue("maintenance");
    await waitFor(
      "the last attempt to fail",
      async () => (await queue.getJobState(id)) === "failed",
    );

    // 4 attempts; each retry waits at least base × 2^(n-1): 200, 400, 800 ms.
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.startedAt - (attempts[i]?.startedAt ?? 0));
    [200, 400, 800].forEach((delay, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay);
      expect(gaps[i]).toBeLessThan(delay + 400);
    });

    const failed = await queue.getJob(id);
    expect(failed?.attemptsMade).toBe(4);
    expect(failed?.failedReason).toBe("the mail server said no");
    expect(failed?.data).toEqual({ userId: "user-42", token: secret });
    expect((await queue.getFailed()).map((j) => j.id)).toEqual([id]);

    const lines = (await running.logLines()).filter((l) => l.jobId === id);
    const retries = lines.filter((l) => l.level === "warn");
    expect(retries.map((l) => l.attemptsMade)).toEqual([1, 2, 3]);
    const final = lines.filter((l) => l.level === "error");
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({
      msg: "job failed for good; kept in the failed set",
      attemptsMade: 4,
      attempts: 4,
      payload: { userId: "user-42", token: "[redacted]" },
    });
    await running.logLines();
    for (const file of ["combined.log", "error.log"]) {
      expect(readFileSync(path.join(running.env.LOG_DIR, file), "utf8")).not.toContain(secret);
    }
  });
});
