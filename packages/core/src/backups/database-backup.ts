import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import type { BackupRecord } from "@lifeline/db";

import { backupKeys, checksumLine, maxObjectBytes } from "./backup-store";
import type { BackupContext } from "./deps";
import { serverVersionNum, tableRowCounts, withPgClient } from "./pg-connection";
import {
  assertToolFitsServer,
  collectStderr,
  connectionForTool,
  exitOf,
  PgToolError,
  spawnTool,
} from "./pg-tools";
import { byteProgress, formatBytes } from "./progress";
import { markFailed } from "./record-outcome";

/** What a database backup records in BackupRecord.details. */
export type DatabaseBackupDetails = {
  /** Every table's exact row count, "schema.table", in the dump's own snapshot. */
  tables: Record<string, number>;
  serverVersionNum: number;
  pgDumpMajor: number;
};

/**
 * pg_dump --format=custom of DATABASE_URL into the backup store, streamed (never in memory):
 * the dump goes to a temp object (fsynced on disk), is renamed into place once pg_dump has
 * exited cleanly, and gets a sha256 sidecar. The row counts are taken in the snapshot pg_dump
 * dumps (exported from a repeatable-read transaction held open meanwhile), so a restore of
 * this dump has exactly these counts. The BackupRecord goes running → completed, or failed.
 */
export async function takeDatabaseBackup(
  ctx: BackupContext,
  id: string = randomUUID(),
): Promise<BackupRecord> {
  const { db, store, logger } = ctx;
  const startedAt = ctx.now();
  const location = backupKeys.databaseDump(id, startedAt);
  await db.backupRecord.create({
    data: { id, kind: "database", status: "running", location, startedAt },
  });
  logger.info({ backupId: id, location }, "database backup started");
  try {
    const outcome = await withPgClient(ctx.databaseUrl, async (client) => {
      const versionNum = await serverVersionNum(client);
      const pgDumpMajor = await assertToolFitsServer(ctx.tools.pgDump, "pg_dump", versionNum);
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      try {
        const { rows } = await client.query<{ snapshot: string }>(
          "SELECT pg_export_snapshot() AS snapshot",
        );
        const snapshot = rows[0]?.snapshot ?? "";
        const tables = await tableRowCounts(client);
        const written = await dumpInto(ctx, location, snapshot);
        return { ...written, details: { tables, serverVersionNum: versionNum, pgDumpMajor } };
      } finally {
        await client.query("COMMIT").catch(() => undefined);
      }
    });
    await store.putObject(
      backupKeys.checksumOf(location),
      Readable.from([Buffer.from(checksumLine(outcome.sha256, location))]),
      { maxBytes: 1024 },
    );
    const record = await db.backupRecord.update({
      where: { id },
      data: {
        status: "completed",
        sizeBytes: BigInt(outcome.size),
        sha256: outcome.sha256,
        details: outcome.details,
        finishedAt: ctx.now(),
      },
    });
    logger.info(
      { backupId: id, sizeBytes: outcome.size, tables: Object.keys(outcome.details.tables).length },
      "database backup written",
    );
    ctx.progress?.(`database dump written: ${formatBytes(outcome.size)}, sha256 ${outcome.sha256}`);
    return record;
  } catch (error) {
    await markFailed(db, id, error, ctx.now());
    throw error;
  }
}

/** Streams pg_dump's output into the store; the object is removed unless pg_dump exits 0. */
async function dumpInto(
  ctx: BackupContext,
  location: string,
  snapshot: string,
): Promise<{ size: number; sha256: string }> {
  const { dbname, env } = connectionForTool(ctx.databaseUrl);
  const child = spawnTool(
    ctx.tools.pgDump,
    ["--format=custom", "--no-password", `--snapshot=${snapshot}`, `--dbname=${dbname}`],
    { env, signal: ctx.signal },
  );
  const stderr = collectStderr(child);
  const exited = exitOf(child);
  // Awaited below; this only keeps a failure to start from being "unhandled" meanwhile.
  exited.catch(() => undefined);
  const body = child.stdout.pipe(byteProgress("database dump", ctx.progress));
  let written: { size: number; sha256: string };
  try {
    written = await ctx.store.putObject(location, body, { maxBytes: maxObjectBytes(ctx.store) });
  } catch (error) {
    child.kill("SIGTERM");
    await exited.catch(() => undefined);
    throw error;
  }
  const code = await exited.catch(async (error: unknown) => {
    await ctx.store.deleteObject(location);
    throw error;
  });
  if (code !== 0) {
    await ctx.store.deleteObject(location);
    throw new PgToolError(`pg_dump failed (exit ${String(code)}): ${stderr() || "no message"}`);
  }
  return written;
}
