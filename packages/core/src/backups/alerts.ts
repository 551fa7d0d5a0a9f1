import { randomUUID } from "node:crypto";

import { sendEmailJob } from "@lifeline/queue";

import type { BackupContext } from "./deps";

export type BackupStage = "backup" | "verify" | "drill" | "retention";

/**
 * A backup, verification, drill or retention pass failed: logged at error level, and emailed
 * to ALERT_EMAIL (through the email queue) when it is set. The email job carries the backup's
 * id only; the worker reads the error from its record. Never throws: the failure being
 * reported is what the caller rethrows.
 */
export async function reportBackupFailure(
  ctx: BackupContext,
  failure: { backupId: string | null; stage: BackupStage; error: unknown },
): Promise<void> {
  ctx.logger.error(
    { err: failure.error, backupId: failure.backupId, stage: failure.stage },
    `backup ${failure.stage} failed`,
  );
  if (!ctx.alertsEnabled || !ctx.jobs) return;
  try {
    await ctx.jobs.enqueue(
      sendEmailJob,
      { template: "backup-failed", backupId: failure.backupId, stage: failure.stage },
      { jobId: `email-${randomUUID()}` },
    );
  } catch (error) {
    ctx.logger.error(
      { err: error, backupId: failure.backupId },
      "the backup failure email could not be enqueued",
    );
  }
}
