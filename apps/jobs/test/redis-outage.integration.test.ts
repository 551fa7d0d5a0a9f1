import { slotJobId, type Schedule } from "@lifeline/queue";
import { describe, expect, inject, it } from "vitest";

import { handle } from "../src/handler";
import { startTestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { startTcpProxy } from "./support/tcp-proxy";
import { recordJob, tickJob } from "./support/test-jobs";
import { sleep, waitFor } from "./support/wait";

const EVERY_5_S = "*/5 * * * * *";

describe("a Redis outage while the jobs app runs", () => {
  it("the app works again when Redis is back, and the slot that fired meanwhile runs once", async () => {
    const redisUrl = new URL(inject("redisUrl"));
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
    const ticks: string[] = [];
    const records: number[] = [];
    const schedule: Schedule = {
      name: "every-5s",
      cron: EVERY_5_S,
      timezone: "UTC",
      job: tickJob,
      payload: {},
    };
    const running = await startTestJobsApp({
      env: testEnv({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
      schedules: [schedule],
      workers: [
        {
          queue: "maintenance",
          concurrency: 1,
          handlers: [
            handle(tickJob, async (_p, { job }) => {
              ticks.push(job.id ?? "");
            }),
            handle(recordJob, async ({ n }) => {
              records.push(n);
            }),
          ],
        },
      ],
    });
    try {
      // Cut Redis off from 1 s before a slot to 1.5 s after it: that firing cannot enqueue.
      const slot = Math.ceil((Date.now() + 1500) / 5000) * 5000;
      await sleep(slot - 1000 - Date.now());
      proxy.cut();
      await sleep(slot + 1500 - Date.now());
      expect(ticks).not.toContain(slotJobId(schedule, new Date(slot)));
      proxy.restore();

      // Back before the next slot (3.5 s later): the missed one runs, once.
      await waitFor("the missed slot to run", () =>
        ticks.includes(slotJobId(schedule, new Date(slot))),
      );
      expect(Date.now()).toBeLessThan(slot + 5000);
      const { jobs } = running.app.dependencies.deps;
      await jobs.enqueue(recordJob, { n: 1 });
      await waitFor("a job enqueued after the outage to run", () => records.includes(1));
      await sleep(Math.max(0, slot + 5500 - Date.now()));
      expect(ticks.filter((t) => t === slotJobId(schedule, new Date(slot)))).toHaveLength(1);
      const logged = await running.logLines();
      expect(logged.some((l) => l.msg === "schedule could not enqueue")).toBe(true);
      // Logged once, not once per reconnection attempt of each connection.
      const workerErrors = logged.filter((l) => l.msg === "worker error");
      const messages = workerErrors.map((l) => `${String(l.queue)} ${(l.err as Error).message}`);
      expect(messages).toEqual([...new Set(messages)]);
    } finally {
      await running.stop();
      await proxy.close();
    }
  }, 30_000);
});
