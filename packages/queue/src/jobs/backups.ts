import { z } from "zod";

import { defineJob } from "../define-job";

/**
 * Backups take minutes and a failed one usually failed for a reason that lasts (a full disk,
 * a wrong pg_dump): three attempts, five minutes apart and then ten, and the last failure is
 * emailed to ALERT_EMAIL. Each attempt is a backup of its own (a new BackupRecord).
 */
const BACKUP_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5 * 60_000 },
} as const;

/** pg_dump of the database, verified, then retention. */
export const backupDatabaseJob = defineJob({
  name: "backups.database",
  queue: "backups",
  payload: z.object({}),
  options: BACKUP_JOB_OPTIONS,
});

/** A fresh database backup first, then the media blobs it references; verified, then retention. */
export const backupMediaJob = defineJob({
  name: "backups.media",
  queue: "backups",
  payload: z.object({}),
  options: BACKUP_JOB_OPTIONS,
});

/** The weekly drill: the newest dump restored into a scratch database, migrated, counted, dropped. */
export const backupDrillJob = defineJob({
  name: "backups.drill",
  queue: "backups",
  payload: z.object({}),
  options: BACKUP_JOB_OPTIONS,
});
