import {
  countMismatches,
  formatBytes,
  readCatalogEntry,
  recordedCounts,
  restoreDatabaseDump,
  restoreMediaBlobs,
  RestoreRefusedError,
  runBackup,
  sameServerUrl,
  type BackupContext,
  type BackupRef,
} from "@lifeline/core/backups";
import { createDb, type Db } from "@lifeline/db";
import { jobsEnvSchema, loadEnvOrExit, resolveFromRepoRoot } from "@lifeline/env";
import { createLogger } from "@lifeline/logger";
import { createBlobStorage } from "@lifeline/storage";

import { backupDepsFrom } from "../backups/backup-deps";
import type { BackupCommand } from "./backup-args";

const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Runs a parsed command; resolves to the exit code. */
export async function runBackupCommand(command: BackupCommand): Promise<number> {
  const env = loadEnvOrExit(jobsEnvSchema);
  const logger = createLogger({
    name: "backup",
    level: env.LOG_LEVEL,
    logDir: resolveFromRepoRoot(env.LOG_DIR),
    console: false,
  });
  const db = createDb(env.DATABASE_URL);
  try {
    const ctx: BackupContext = backupDepsFrom({
      env,
      db,
      media: createBlobStorage(env, logger),
      logger,
      now: () => new Date(),
      progress,
    });
    return command.command === "run"
      ? await run(ctx, command.kind)
      : await restore(ctx, db, command);
  } catch (error) {
    // runBackup has logged its failure; a restore's is the operator's to read here.
    process.stderr.write(
      `backup ${command.command} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return error instanceof RestoreRefusedError ? 3 : 1;
  } finally {
    await db.$disconnect();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  }
}

async function run(ctx: BackupContext, kind: "database" | "media"): Promise<number> {
  const result = await runBackup(ctx, kind, { alert: false });
  say(`database backup ${result.database.id} verified: ${result.database.location}`);
  if (result.media) say(`media backup ${result.media.id} verified: ${result.media.location}`);
  return 0;
}

/**
 * Which backup to restore: from the live database's records when it answers, else from the
 * catalog in the backup store (the live database may be the thing lost). A media backup's
 * id stands for the dump taken just before it.
 */
async function chooseBackup(ctx: BackupContext, db: Db, at: string | null): Promise<BackupRef> {
  let ref = at
    ? await readCatalogEntry(ctx.store, { id: at })
    : await readCatalogEntry(ctx.store, { latest: "database" });
  if (!ref && at) {
    ref = await db.backupRecord.findUnique({ where: { id: at } }).catch(() => null);
    if (ref && ref.sha256 === null) throw new Error(`backup ${at} never completed; choose another`);
  }
  if (!ref) {
    throw new Error(
      at
        ? `no backup ${at} in the backup store`
        : "the backup store has no verified database backup",
    );
  }
  if (ref.kind === "media") {
    const details = ref.details as { databaseBackupId?: unknown } | null;
    const databaseId =
      typeof details?.databaseBackupId === "string" ? details.databaseBackupId : null;
    if (!databaseId) throw new Error(`media backup ${ref.id} names no database backup`);
    const database = await readCatalogEntry(ctx.store, { id: databaseId });
    if (!database)
      throw new Error(
        `the database backup ${databaseId} taken with media backup ${ref.id} is gone`,
      );
    ref = database;
  }
  return ref;
}

async function restore(
  ctx: BackupContext,
  db: Db,
  command: Extract<BackupCommand, { command: "restore" }>,
): Promise<number> {
  const backup = await chooseBackup(ctx, db, command.at);
  say(`restoring database backup ${backup.id} taken ${backup.startedAt.toISOString()}`);
  const targetUrl = sameServerUrl(ctx.databaseUrl, command.into);
  const restored = await restoreDatabaseDump(ctx, backup, targetUrl, { force: command.force });
  const recorded = recordedCounts(backup);
  const mismatches = countMismatches(recorded, restored.tables);
  const rows = Object.values(restored.tables).reduce((sum, n) => sum + n, 0);
  say(
    `database ${restored.database}${restored.created ? " (created)" : ""}: ${Object.keys(restored.tables).length} tables, ${rows} rows`,
  );
  for (const [table, count] of Object.entries(restored.tables)) say(`  ${table}: ${count}`);
  if (mismatches.length) say(`row counts that differ from the backup's: ${mismatches.join("; ")}`);
  else say("every table has the row count recorded at backup time");

  const media = await restoreMediaBlobs(ctx, targetUrl);
  say(
    `media: ${media.referenced} blobs referenced; ${media.restored} restored (${formatBytes(media.restoredBytes)}), ${media.present} already present, ${media.missing} in no backup`,
  );
  if (media.missing) {
    say(`  missing (uploaded after the last media backup?): ${media.missingExamples.join(", ")}`);
  }
  return mismatches.length ? 1 : 0;
}
