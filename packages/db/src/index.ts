export { createDb, type CreateDbOptions, type Db } from "./client";
export { Prisma } from "./generated/prisma/client";
export type { AuditEvent, RefreshToken, Session, User } from "./generated/prisma/client";
export { applyMigrations, type MigrationResult } from "./migrate/apply-migrations";
export { ensureDatabase } from "./migrate/ensure-database";
export { isUniqueViolation } from "./errors";
