import { createDb } from "@lifeline/db";
import { silentLogger } from "@lifeline/logger";
import { FacebookEmulator } from "@lifeline/providers/testing";
import {
  createJobProducer,
  createRedis,
  refreshAccountJob,
  refreshSweepJob,
  waitForRedis,
} from "@lifeline/queue";
import { describe, expect, inject, it } from "vitest";

import { testEnvVars } from "./support/env";
import {
  DAY,
  emulatedProvidersEnv,
  seedLinkedAccount,
  testCipher,
} from "./support/linked-accounts";
import { readLogLines } from "./support/log-lines";
import { startFixture, type SpawnedProcess } from "./support/spawn";
import { sleep } from "./support/wait";

const SLOT_MS = 2000;

describe("two jobs processes with the refresh schedule", () => {
  it("run one sweep per slot, and the sweeps refresh a due account once", async () => {
    const env = testEnvVars(emulatedProvidersEnv());
    const prefix = env.REDIS_KEY_PREFIX ?? "";
    const redis = createRedis(env.REDIS_URL ?? "", silentLogger());
    const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
    const db = createDb(inject("databaseUrl"));
    const processes: SpawnedProcess[] = [];
    const logDirs = [env.LOG_DIR ?? "", testEnvVars().LOG_DIR ?? ""];
    try {
      await waitForRedis(redis, 2000);
      await db.linkedAccount.deleteMany({});
      // Facebook: the sweep's work needs no provider call (an expiry warning, emailed once).
      const account = await seedLinkedAccount(db, testCipher(), new FacebookEmulator(), {
        expiresInMs: 3 * DAY,
      });
      const start = (logDir: string) =>
        startFixture(
          ["*/2 * * * * *"],
          { ...env, LOG_DIR: logDir },
          "test/fixtures/accounts-process.ts",
        );
      processes.push(...(await Promise.all(logDirs.map(start))));
      await sleep(5 * SLOT_MS + 500);
      for (const p of processes) p.kill("SIGTERM");
      expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);

      const sweeps = (await jobs.queue("accounts").getJobs(["completed", "failed"])).filter(
        (job) => job.name === refreshSweepJob.name,
      );
      const slots = sweeps
        .map((job) => Number((job.id ?? "").replace("schedule.accounts-refresh.", "")))
        .sort((a, b) => a - b);
      expect(slots.length).toBeGreaterThanOrEqual(4);
      expect(new Set(slots).size).toBe(slots.length);
      slots.slice(1).forEach((slot, i) => expect(slot - (slots[i] ?? 0)).toBe(SLOT_MS));
      // Each slot's sweep ran in one process: one "sweep enqueued" line per slot, all logs.
      const sweepLines = logDirs
        .flatMap((dir) => readLogLines(dir))
        .filter((line) => line.msg === "token refresh sweep enqueued");
      expect(sweepLines).toHaveLength(slots.length);
      expect(sweeps.every((job) => job.finishedOn && !job.failedReason)).toBe(true);

      // Every sweep found the account due; its refresh ran once, and so did the warning.
      const refreshes = (await jobs.queue("accounts").getJobs(["completed", "failed"])).filter(
        (job) => job.name === refreshAccountJob.name,
      );
      expect(refreshes).toHaveLength(1);
      expect(await jobs.queue("email").getJobCounts("waiting")).toEqual({ waiting: 1 });
      const after = await db.linkedAccount.findUniqueOrThrow({ where: { id: account.id } });
      expect(after.expiryWarnedAt).not.toBeNull();
    } finally {
      for (const p of processes) p.kill("SIGKILL");
      await jobs.close();
      redis.disconnect();
      await db.$disconnect();
    }
  }, 60_000);
});
