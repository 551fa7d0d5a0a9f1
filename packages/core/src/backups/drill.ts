import { randomBytes } from "node:crypto";

import { applyMigrations, type BackupRecord } from "@lifeline/db";

import type { BackupContext } from "./deps";
import { dropDatabase, sameServerUrl, tableRowCounts, withPgClient } from "./pg-connection";
import { countMismatches, restoreDatabaseDump } from "./restore-database";

export type DrillOutcome = {
  at: string;
  ok: boolean;
  database: string;
  migrationsApplied: string[];
  tables: number;
  mismatches: string[];
  error?: string;
};

/** The restore drill found the backup wanting (the outcome says how). */
export class DrillFailedError extends Error {
  override name = "DrillFailedError";
}

const MIGRATIONS_TABLE = "public._prisma_migrations";

/**
 * The weekly proof that backups restore: the newest verified dump goes into a scratch
 * database on the same server, pending migrations are applied (as a real recovery would),
 * every table's row count is compared with the counts recorded when the dump was taken
 * (the migrations table may only grow by the migrations just applied), and the scratch
 * database is dropped whatever happened. The outcome is kept in the record's details.drill.
 */
export async function runRestoreDrill(
  ctx: BackupContext,
): Promise<{ record: BackupRecord; outcome: DrillOutcome }> {
  const record = await ctx.db.backupRecord.findFirst({
    where: { kind: "database", status: "verified" },
    orderBy: { startedAt: "desc" },
  });
  if (!record) throw new DrillFailedError("no verified database backup to drill");
  const database = `lifeline_drill_${randomBytes(6).toString("hex")}`;
  const scratchUrl = sameServerUrl(ctx.databaseUrl, database);
  const outcome: DrillOutcome = {
    at: ctx.now().toISOString(),
    ok: false,
    database,
    migrationsApplied: [],
    tables: 0,
    mismatches: [],
  };
  ctx.logger.info({ backupId: record.id, database }, "restore drill started");
  try {
    await restoreDatabaseDump(ctx, record, scratchUrl, { force: false });
    const migrated = await applyMigrations(scratchUrl);
    outcome.migrationsApplied = migrated.applied;
    const actual = await withPgClient(scratchUrl, tableRowCounts);
    const recorded = recordedCounts(record);
    outcome.tables = Object.keys(recorded).length;
    outcome.mismatches = countMismatches(recorded, actual, {
      [MIGRATIONS_TABLE]: migrated.applied.length,
    });
    if (outcome.tables === 0) outcome.mismatches.push("the backup recorded no table counts");
    outcome.ok = outcome.mismatches.length === 0;
  } catch (error) {
    outcome.error = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  } finally {
    await dropDatabase(scratchUrl).catch((error: unknown) => {
      ctx.logger.error(
        { err: error, database },
        "restore drill: the scratch database could not be dropped",
      );
    });
  }
  const updated = await ctx.db.backupRecord.update({
    where: { id: record.id },
    data: {
      drilledAt: ctx.now(),
      details: { ...detailsObject(record), drill: outcome },
    },
  });
  if (!outcome.ok) {
    throw new DrillFailedError(
      `restore drill of backup ${record.id} failed: ${outcome.error ?? outcome.mismatches.slice(0, 5).join("; ")}`,
    );
  }
  ctx.logger.info({ backupId: record.id, tables: outcome.tables }, "restore drill passed");
  ctx.progress?.(`restore drill passed: ${outcome.tables} tables match their recorded counts`);
  return { record: updated, outcome };
}

function detailsObject(record: Pick<BackupRecord, "details">): Record<string, unknown> {
  const details = record.details;
  return typeof details === "object" && details !== null && !Array.isArray(details) ? details : {};
}

/** The row counts a database backup recorded (details.tables). */
export function recordedCounts(record: Pick<BackupRecord, "details">): Record<string, number> {
  const tables = detailsObject(record).tables;
  if (typeof tables !== "object" || tables === null) return {};
  return Object.fromEntries(
    Object.entries(tables as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number",
    ),
  );
}
