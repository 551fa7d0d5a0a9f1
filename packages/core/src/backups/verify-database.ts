import type { BackupRecord } from "@lifeline/db";

import { writeCatalogEntry, type BackupRef } from "./backup-catalog";
import type { BackupContext } from "./deps";
import { collectStderr, exitOf, spawnTool } from "./pg-tools";
import { markFailed } from "./record-outcome";
import { BackupVerificationError, checkRecordedObject } from "./verify-recorded-object";

/**
 * Checks that a stored dump is the one recorded (size and sha256, re-read from the store, and
 * its sidecar checksum agrees) and that `pg_restore --list` reads it. Throws
 * BackupVerificationError (or PgToolError) describing the first problem.
 */
export async function checkDatabaseDump(ctx: BackupContext, record: BackupRef): Promise<void> {
  await checkRecordedObject(ctx, record, "dump");
  await listWithPgRestore(ctx, record.location);
}

/** `pg_restore --list` of the stored dump, streamed to its stdin. */
async function listWithPgRestore(ctx: BackupContext, location: string): Promise<void> {
  const read = await ctx.store.getObject(location);
  if (!read)
    throw new BackupVerificationError(`the dump ${location} is missing from the backup store`);
  const child = spawnTool(ctx.tools.pgRestore, ["--list"], { stdin: true, signal: ctx.signal });
  const stderr = collectStderr(child);
  const exited = exitOf(child);
  exited.catch(() => undefined);
  // --list reads the table of contents at the head and exits: the rest of the body meets a
  // closed pipe, which is expected, not an error.
  const stdin = child.stdin;
  if (stdin) {
    stdin.on("error", () => undefined);
    read.body.pipe(stdin);
  }
  let entries = 0;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    entries += chunk.split("\n").filter((line) => line && !line.startsWith(";")).length;
  });
  const code = await exited.finally(() => read.body.destroy());
  if (code !== 0) {
    throw new BackupVerificationError(
      `pg_restore --list cannot read ${location}: ${stderr() || `exit ${String(code)}`}`,
    );
  }
  if (entries === 0) {
    throw new BackupVerificationError(`pg_restore --list found nothing in ${location}`);
  }
}

/** Verifies a just-completed database backup: verified, or failed with the reason. */
export async function verifyDatabaseBackup(
  ctx: BackupContext,
  record: BackupRecord,
): Promise<BackupRecord> {
  try {
    await checkDatabaseDump(ctx, record);
  } catch (error) {
    await markFailed(ctx.db, record.id, error, ctx.now());
    throw error;
  }
  const verified = await ctx.db.backupRecord.update({
    where: { id: record.id },
    data: { status: "verified", verifiedAt: ctx.now(), error: null },
  });
  await writeCatalogEntry(ctx.store, verified);
  ctx.logger.info({ backupId: record.id }, "database backup verified");
  ctx.progress?.("database dump verified (checksum, pg_restore --list)");
  return verified;
}
