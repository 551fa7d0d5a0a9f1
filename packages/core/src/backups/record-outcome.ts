import type { Db } from "@lifeline/db";

/** The error kept on a BackupRecord: the first 1000 characters (the column's size). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 1000);
}

/** Marks a backup failed with its error; never throws over the error being recorded. */
export async function markFailed(db: Db, id: string, error: unknown, now: Date): Promise<void> {
  await db.backupRecord
    .update({
      where: { id },
      data: { status: "failed", error: errorText(error), finishedAt: now },
    })
    .catch(() => undefined);
}
