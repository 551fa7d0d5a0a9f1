import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import pg from "pg";

/**
 * Applies Prisma-layout migrations (`<dir>/<name>/migration.sql`) and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does, because Prisma 7's schema
 * engine cannot be downloaded on these machines. A machine that has the engine sees the
 * same state and can deploy later migrations on top (docs/migrations.md has the contract).
 */

export const defaultMigrationsDir = fileURLToPath(
  new URL("../../prisma/migrations", import.meta.url),
);

/** The lock id `prisma migrate deploy` takes, so our runner and Prisma's exclude each other. */
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

async function listMigrations(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function hasOtherTables(client: pg.Client): Promise<boolean> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations' LIMIT 1`,
  );
  return (rowCount ?? 0) > 0;
}

async function migrationsTableExists(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`,
  );
  return rows[0]?.exists ?? false;
}

export async function applyMigrations(
  connectionString: string,
  migrationsDir: string = defaultMigrationsDir,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    if (!(await migrationsTableExists(client))) {
      if (await hasOtherTables(client)) {
        throw new MigrationError(
          "P3005: the database schema is not empty and has no migration history; baseline it first",
        );
      }
      await client.query(CREATE_TABLE);
    }

    const { rows: failed } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations"
        WHERE finished_at IS NULL AND rolled_back_at IS NULL`,
    );
    if (failed.length > 0) {
      throw new MigrationError(
        `P3009: failed migrations need attention first: ${failed.map((r) => r.migration_name).join(", ")}`,
      );
    }

    const { rows: done } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const appliedNames = new Set(done.map((r) => r.migration_name));
    const pending = (await listMigrations(migrationsDir)).filter((name) => !appliedNames.has(name));

    for (const name of pending) {
      const sql = await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const id = randomUUID();
      const checksum = createHash("sha256").update(sql).digest("hex");
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 0)`,
        [id, checksum, name],
      );
      try {
        // One simple-protocol query: Postgres runs a multi-statement string in one implicit
        // transaction, so a failing migration leaves no half-applied schema (as Prisma does).
        await client.query(sql);
      } catch (error) {
        await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [
          id,
          String(error),
        ]);
        throw new MigrationError(`migration ${name} failed: ${String(error)}`);
      }
      await client.query(
        `UPDATE "_prisma_migrations"
            SET applied_steps_count = applied_steps_count + 1, finished_at = now()
          WHERE id = $1`,
        [id],
      );
    }
    return { applied: pending, alreadyApplied: appliedNames.size };
  } finally {
    await client
      .query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK])
      .catch(() => undefined);
    await client.end();
  }
}
