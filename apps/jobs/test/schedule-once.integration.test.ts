import { silentLogger } from "@lifeline/logger";
import { createJobProducer, createRedis, waitForRedis } from "@lifeline/queue";
import { describe, expect, it } from "vitest";

import { testEnvVars } from "./support/env";
import { startFixture, type SpawnedProcess } from "./support/spawn";
import { recordKeys } from "./support/test-jobs";
import { sleep } from "./support/wait";

const SLOT_MS = 2000;

describe("two jobs processes started together", () => {
  it("run every slot of a schedule exactly once", async () => {
    const env = testEnvVars();
    const prefix = env.REDIS_KEY_PREFIX ?? "";
    const redis = createRedis(env.REDIS_URL ?? "", silentLogger());
    const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
    const processes: SpawnedProcess[] = [];
    try {
      await waitForRedis(redis, 2000);
      const start = (logDir: string) =>
        startFixture(["schedule", "*/2 * * * * *"], { ...env, LOG_DIR: logDir });
      processes.push(
        ...(await Promise.all([start(env.LOG_DIR ?? ""), start(testEnvVars().LOG_DIR ?? "")])),
      );
      // Both fire every slot from here on; each slot must still run once.
      await sleep(5 * SLOT_MS + 500);
      for (const p of processes) p.kill("SIGTERM");
      expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);

      const runs = (await redis.lrange(recordKeys(prefix).ticks, 0, -1)).map((entry) => {
        const [jobId = "", pid = ""] = entry.split(" ");
        return { slot: Number(jobId.replace("schedule.tick.", "")), pid: Number(pid) };
      });
      const slots = runs.map((r) => r.slot).sort((a, b) => a - b);
      expect(slots.length).toBeGreaterThanOrEqual(4);
      expect(new Set(slots).size).toBe(slots.length);
      // No slot skipped between the first and the last.
      slots.slice(1).forEach((slot, i) => expect(slot - (slots[i] ?? 0)).toBe(SLOT_MS));
      // Each run came from one of the two processes, and every enqueued job ran.
      const pids = processes.map((p) => p.pid);
      for (const run of runs) expect(pids).toContain(run.pid);
      const counts = await jobs.queue("maintenance").getJobCounts("completed", "failed", "waiting");
      expect(counts).toEqual({ completed: slots.length, failed: 0, waiting: 0 });
    } finally {
      for (const p of processes) p.kill("SIGKILL");
      await jobs.close();
      redis.disconnect();
    }
  }, 60_000);
});
