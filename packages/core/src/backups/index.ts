export { reportBackupFailure, type BackupStage } from "./alerts";
export { readCatalogEntry, writeCatalogEntry, type BackupRef } from "./backup-catalog";
export { applyRetention, type RetentionResult } from "./apply-retention";
export {
  backupKeys,
  createBackupStore,
  type BackupStore,
  type BackupStoreEnv,
} from "./backup-store";
export { takeDatabaseBackup, type DatabaseBackupDetails } from "./database-backup";
export type { BackupContext, BackupDeps } from "./deps";
export { DrillFailedError, recordedCounts, runRestoreDrill, type DrillOutcome } from "./drill";
export { backupFreshness, type BackupFreshness, type KindFreshness } from "./freshness";
export { takeMediaBackup, type MediaBackupDetails } from "./media-backup";
export { ManifestError, readManifest, type ManifestEntry } from "./media-manifest";
export { databaseNameOf, sameServerUrl, tableRowCounts, withPgClient } from "./pg-connection";
export {
  majorOfVersionNum,
  majorOfVersionText,
  PgToolError,
  pgToolsFrom,
  type PgTools,
} from "./pg-tools";
export { formatBytes } from "./progress";
export {
  countMismatches,
  restoreDatabaseDump,
  RestoreRefusedError,
  type DatabaseRestoreResult,
} from "./restore-database";
export { restoreMediaBlobs, type MediaRestoreResult } from "./restore-media";
export {
  isoWeekKey,
  planRetention,
  type RetentionCandidate,
  type RetentionPlan,
  type RetentionPolicy,
} from "./retention";
export { runBackup, runDrill, type BackupRunResult, type RunOptions } from "./run-backup";
export { checkDatabaseDump, verifyDatabaseBackup } from "./verify-database";
export { checkMediaBackup, verifyMediaBackup } from "./verify-media";
export { BackupVerificationError } from "./verify-recorded-object";
