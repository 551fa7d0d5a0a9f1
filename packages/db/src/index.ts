export { createDb, type CreateDbOptions, type Db } from "./client";
export { Prisma } from "./generated/prisma/client";
export type {
  AuditEvent,
  BackupKind,
  BackupRecord,
  BackupStatus,
  EmailToken,
  ImportRun,
  ImportStatus,
  ImportTrigger,
  LinkedAccount,
  LinkedAccountStatus,
  MediaItem,
  MediaKind,
  MediaSource,
  MediaStatus,
  Provider,
  RefreshToken,
  Role,
  Session,
  ThumbnailStatus,
  User,
} from "./generated/prisma/client";
export { applyMigrations, type MigrationResult } from "./migrate/apply-migrations";
export { DatabaseMissingError, ensureDatabase } from "./migrate/ensure-database";
export { isDatabaseUnavailable, isRecordNotFound, isUniqueViolation } from "./errors";
