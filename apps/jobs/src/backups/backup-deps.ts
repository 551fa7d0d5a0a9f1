import { createBackupStore, pgToolsFrom, type BackupDeps } from "@lifeline/core/backups";
import type { Db } from "@lifeline/db";
import type { JobsEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import type { JobProducer } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";

/** What backups use, from the jobs app's settings: shared by the backups worker and `pnpm backup:*`. */
export function backupDepsFrom(options: {
  env: JobsEnv;
  db: Db;
  media: BlobStorage;
  logger: Logger;
  now: () => Date;
  jobs?: Pick<JobProducer, "enqueue">;
  progress?: (line: string) => void;
}): BackupDeps {
  const { env } = options;
  return {
    db: options.db,
    databaseUrl: env.DATABASE_URL,
    store: createBackupStore(env, options.logger),
    media: options.media,
    tools: pgToolsFrom(env),
    retention: {
      daily: env.BACKUP_KEEP_DAILY,
      weekly: env.BACKUP_KEEP_WEEKLY,
      monthly: env.BACKUP_KEEP_MONTHLY,
    },
    logger: options.logger,
    now: options.now,
    progress: options.progress,
    jobs: options.jobs,
    alertsEnabled: env.ALERT_EMAIL !== undefined,
  };
}
