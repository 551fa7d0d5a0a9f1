import { silentLogger } from "@lifeline/logger";
import {
  backupDatabaseJob,
  backupDrillJob,
  backupMediaJob,
  createJobProducer,
  createRedis,
  SCHEDULES,
  waitForRedis,
} from "@lifeline/queue";
import { describe, expect, it } from "vitest";

import { scratchDatabase, tempDir } from "./support/backups";
import { testEnvVars } from "./support/env";
import { startFixture, type SpawnedProcess } from "./support/spawn";
import { sleep } from "./support/wait";

describe("the backup schedules", () => {
  it("are in the schedule table: database daily 02:00, media Sundays 03:00, the drill after", () => {
    const rows = SCHEDULES.filter((s) => s.name.startsWith("backup-")).map((s) => ({
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      job: s.job.name,
    }));
    expect(rows).toEqual([
      { name: "backup-database", cron: "0 2 * * *", timezone: "UTC", job: backupDatabaseJob.name },
      { name: "backup-media", cron: "0 3 * * 0", timezone: "UTC", job: backupMediaJob.name },
      { name: "backup-drill", cron: "30 5 * * 0", timezone: "UTC", job: backupDrillJob.name },
    ]);
  });

  it("fire once per slot across two jobs processes: one backup per slot", async () => {
    const SLOT_MS = 4000;
    const database = await scratchDatabase();
    const backupDir = await tempDir("backups");
    const env = testEnvVars({ DATABASE_URL: database.url, BACKUP_DIR: backupDir.dir });
    const redis = createRedis(env.REDIS_URL ?? "", silentLogger());
    const jobs = createJobProducer({
      connection: redis,
      redisKeyPrefix: env.REDIS_KEY_PREFIX ?? "",
    });
    const processes: SpawnedProcess[] = [];
    try {
      await waitForRedis(redis, 2000);
      const start = (logDir: string) =>
        startFixture(
          [`*/${SLOT_MS / 1000} * * * * *`],
          { ...env, LOG_DIR: logDir },
          "test/fixtures/backups-process.ts",
        );
      processes.push(
        ...(await Promise.all([start(env.LOG_DIR ?? ""), start(testEnvVars().LOG_DIR ?? "")])),
      );
      await sleep(3 * SLOT_MS + 500);
      for (const p of processes) p.kill("SIGTERM");
      expect(await Promise.all(processes.map((p) => p.exited))).toEqual([0, 0]);

      const completed = await jobs.queue("backups").getJobs(["completed"]);
      const slots = completed
        .map((job) => Number((job.id ?? "").replace("schedule.backup-database.", "")))
        .sort((a, b) => a - b);
      expect(slots.length).toBeGreaterThanOrEqual(2);
      expect(new Set(slots).size).toBe(slots.length);
      slots.slice(1).forEach((slot, i) => expect(slot - (slots[i] ?? 0)).toBe(SLOT_MS));
      const counts = await jobs.queue("backups").getJobCounts("failed", "waiting", "active");
      expect(counts).toEqual({ failed: 0, waiting: 0, active: 0 });
      // One backup per slot, whichever process ran it; retention then keeps the day's newest.
      const backupIds = completed.map(
        (job) => (job.returnvalue as { databaseBackupId: string }).databaseBackupId,
      );
      expect(new Set(backupIds).size).toBe(slots.length);
      const records = await database.db.backupRecord.findMany({ where: { kind: "database" } });
      const newest = completed.find((job) => job.id === `schedule.backup-database.${slots.at(-1)}`);
      expect(records.map((r) => [r.id, r.status])).toEqual([
        [(newest?.returnvalue as { databaseBackupId: string }).databaseBackupId, "verified"],
      ]);
    } finally {
      for (const p of processes) p.kill("SIGKILL");
      await jobs.close();
      redis.disconnect();
      await database.drop();
      await backupDir.remove();
    }
  }, 90_000);
});
