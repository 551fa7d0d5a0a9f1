import { randomUUID } from "node:crypto";

import type { BackupKind, BackupRecord } from "@lifeline/db";

import { reportBackupFailure, type BackupStage } from "./alerts";
import { applyRetention, type RetentionResult } from "./apply-retention";
import { takeDatabaseBackup } from "./database-backup";
import type { BackupContext } from "./deps";
import { runRestoreDrill, type DrillOutcome } from "./drill";
import { takeMediaBackup } from "./media-backup";
import { withBackupLock } from "./pg-connection";
import { verifyDatabaseBackup } from "./verify-database";
import { verifyMediaBackup } from "./verify-media";

export interface BackupRunResult {
  database: BackupRecord;
  media?: BackupRecord;
  retention: RetentionResult;
}

/** Whether a failure is emailed: the jobs app alerts on a job's last attempt only. */
export interface RunOptions {
  alert: boolean;
}

/** An error already recorded and reported; it carries the stage it failed in. */
class StageError extends Error {
  constructor(
    readonly stage: BackupStage,
    readonly backupId: string | null,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function stage<T>(
  name: BackupStage,
  backupId: () => string | null,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof StageError ? error : new StageError(name, backupId(), error);
  }
}

/**
 * One backup, start to end, under the backup lock: for media, a fresh database backup first
 * (verified), then the media; each verified right after it is written; then retention. A
 * failure is recorded on its BackupRecord, logged at error level and (with `alert`) emailed,
 * and rethrown.
 */
export async function runBackup(
  ctx: BackupContext,
  kind: BackupKind,
  options: RunOptions,
): Promise<BackupRunResult> {
  return withFailureReport(ctx, options, () =>
    withBackupLock(ctx.databaseUrl, async () => {
      await markAbandoned(ctx);
      let currentId: string = randomUUID();
      const current = () => currentId;
      const databaseId = currentId;
      const database = await stage("backup", current, async () => {
        ctx.progress?.("taking the database dump");
        return takeDatabaseBackup(ctx, databaseId);
      });
      const verifiedDatabase = await stage("verify", current, () =>
        verifyDatabaseBackup(ctx, database),
      );
      let media: BackupRecord | undefined;
      if (kind === "media") {
        const mediaId = randomUUID();
        currentId = mediaId;
        const taken = await stage("backup", current, async () => {
          ctx.progress?.("backing up media blobs");
          return takeMediaBackup(ctx, database.id, mediaId);
        });
        media = await stage("verify", current, () => verifyMediaBackup(ctx, taken));
      }
      const retention = await retentionReported(ctx);
      return { database: verifiedDatabase, ...(media ? { media } : {}), retention };
    }),
  );
}

/** The weekly restore drill, under the backup lock; a failure is reported like a backup's. */
export async function runDrill(
  ctx: BackupContext,
  options: RunOptions,
): Promise<{ record: BackupRecord; outcome: DrillOutcome }> {
  return withFailureReport(ctx, options, () =>
    withBackupLock(ctx.databaseUrl, async () => {
      let drilled: string | null = null;
      return stage(
        "drill",
        () => drilled,
        async () => {
          const latest = await ctx.db.backupRecord.findFirst({
            where: { kind: "database", status: "verified" },
            orderBy: { startedAt: "desc" },
            select: { id: true },
          });
          drilled = latest?.id ?? null;
          return runRestoreDrill(ctx);
        },
      );
    }),
  );
}

async function withFailureReport<T>(
  ctx: BackupContext,
  options: RunOptions,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const failure =
      error instanceof StageError
        ? { stage: error.stage, backupId: error.backupId, error: error.cause }
        : { stage: "backup" as const, backupId: null, error };
    if (options.alert) await reportBackupFailure(ctx, failure);
    else
      ctx.logger.error(
        { err: failure.error, backupId: failure.backupId, stage: failure.stage },
        `backup ${failure.stage} failed`,
      );
    throw failure.error;
  }
}

/**
 * Backups marked running when the lock is free were cut off (the process died): they are
 * failed, so retention can remove what they left and a crashed run never blocks anything.
 */
async function markAbandoned(ctx: BackupContext): Promise<void> {
  const { count } = await ctx.db.backupRecord.updateMany({
    where: { status: "running" },
    data: {
      status: "failed",
      error: "abandoned: the process ended while it ran",
      finishedAt: ctx.now(),
    },
  });
  if (count)
    ctx.logger.warn({ count }, "backups left running by a process that ended are marked failed");
}

/**
 * Retention after a good backup: its failure is reported (logged, emailed) but does not fail
 * the job, whose retry would take another backup for nothing; the next backup retries it.
 */
async function retentionReported(ctx: BackupContext): Promise<RetentionResult> {
  try {
    return await applyRetention(ctx);
  } catch (error) {
    await reportBackupFailure(ctx, { backupId: null, stage: "retention", error });
    return { removedBackups: [], removedBlobs: 0 };
  }
}
