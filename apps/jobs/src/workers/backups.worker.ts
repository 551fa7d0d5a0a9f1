import { runBackup, runDrill, type BackupDeps } from "@lifeline/core/backups";
import { backupDatabaseJob, backupDrillJob, backupMediaJob } from "@lifeline/queue";
import type { Job } from "bullmq";

import { backupDepsFrom } from "../backups/backup-deps";
import { handle, type HandlerContext, type JobsDeps } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";

/** A failure is emailed on the job's last attempt only: earlier ones are retried. */
function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * The backups queue: one job at a time (a backup, a media backup or the drill; each also
 * takes the backup lock, which `pnpm backup:run` shares). pg_dump and pg_restore run as child
 * processes; a shutdown kills them through the job's signal and the job is retried.
 */
export function backupsWorker(): QueueWorkerSpec {
  let backupDeps: BackupDeps | undefined;
  const contextOf = ({ deps, logger, signal }: HandlerContext) => {
    backupDeps ??= backupDepsFromJobs(deps);
    return { ...backupDeps, logger, signal };
  };
  return {
    queue: "backups",
    concurrency: 1,
    handlers: [
      handle(backupDatabaseJob, async (_payload, context) => {
        const result = await runBackup(contextOf(context), "database", {
          alert: isLastAttempt(context.job),
        });
        return summary(result.database.id, result.retention.removedBackups.length);
      }),
      handle(backupMediaJob, async (_payload, context) => {
        const result = await runBackup(contextOf(context), "media", {
          alert: isLastAttempt(context.job),
        });
        return {
          ...summary(result.database.id, result.retention.removedBackups.length),
          mediaBackupId: result.media?.id,
          removedBlobs: result.retention.removedBlobs,
        };
      }),
      handle(backupDrillJob, async (_payload, context) => {
        const { record, outcome } = await runDrill(contextOf(context), {
          alert: isLastAttempt(context.job),
        });
        return {
          backupId: record.id,
          tables: outcome.tables,
          migrationsApplied: outcome.migrationsApplied,
        };
      }),
    ],
  };
}

function backupDepsFromJobs(deps: JobsDeps): BackupDeps {
  return backupDepsFrom({
    env: deps.env,
    db: deps.db,
    media: deps.storage,
    logger: deps.logger,
    now: deps.now,
    jobs: deps.jobs,
  });
}

function summary(databaseBackupId: string, removedBackups: number) {
  return { databaseBackupId, removedBackups };
}
