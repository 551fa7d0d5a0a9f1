import type { JobDefinition } from "./define-job";
import { refreshSweepJob } from "./jobs/accounts";
import { backupDatabaseJob, backupDrillJob, backupMediaJob } from "./jobs/backups";
import { auditRetentionJob, purgeExpiredJob } from "./jobs/maintenance";
import { syncLinkedAccountsJob } from "./jobs/imports";
import { sweepMediaJob } from "./jobs/media";

/**
 * A recurring job: when (cron expression, minute precision, in a time zone) and what to
 * enqueue. Each firing enqueues one job whose id is derived from the schedule's name and its
 * slot, so however many jobs processes fire it, the slot runs once (see slotJobId).
 */
export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  job: JobDefinition;
  payload: unknown;
}

/** Every schedule of the system. Adding one is one line. */
export const SCHEDULES: readonly Schedule[] = [
  { name: "purge-expired", cron: "15 3 * * *", timezone: "UTC", job: purgeExpiredJob, payload: {} },
  {
    name: "audit-retention",
    cron: "45 3 * * *",
    timezone: "UTC",
    job: auditRetentionJob,
    payload: {},
  },
  { name: "media-sweep", cron: "30 4 * * *", timezone: "UTC", job: sweepMediaJob, payload: {} },
  {
    name: "imports-sync",
    cron: "0 5 * * *",
    timezone: "UTC",
    job: syncLinkedAccountsJob,
    payload: {},
  },
  // Linked accounts' tokens: every 6 hours (X, Google and Microsoft access tokens live 1-2 h;
  // imports refresh those on demand, the sweep keeps the grants alive and finds revoked ones).
  {
    name: "accounts-refresh",
    cron: "20 */6 * * *",
    timezone: "UTC",
    job: refreshSweepJob,
    payload: {},
  },
  // Backups: the database daily; media (after a fresh dump) on Sundays; the drill after it.
  {
    name: "backup-database",
    cron: "0 2 * * *",
    timezone: "UTC",
    job: backupDatabaseJob,
    payload: {},
  },
  { name: "backup-media", cron: "0 3 * * 0", timezone: "UTC", job: backupMediaJob, payload: {} },
  { name: "backup-drill", cron: "30 5 * * 0", timezone: "UTC", job: backupDrillJob, payload: {} },
];

/** The job id of one slot of one schedule (BullMQ ids may not contain ":"). */
export function slotJobId(schedule: Pick<Schedule, "name">, slot: Date): string {
  return `schedule.${schedule.name}.${slot.getTime()}`;
}
