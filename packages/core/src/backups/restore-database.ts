import type { BackupRef } from "./backup-catalog";
import type { BackupContext } from "./deps";
import {
  createDatabase,
  databaseExists,
  databaseNameOf,
  hasNoTables,
  serverVersionNum,
  tableRowCounts,
  withPgClient,
} from "./pg-connection";
import {
  assertToolFitsServer,
  collectStderr,
  connectionForTool,
  exitOf,
  PgToolError,
  spawnTool,
} from "./pg-tools";
import { byteProgress } from "./progress";
import { checkDatabaseDump } from "./verify-database";

/** The target database has tables and --force was not given. */
export class RestoreRefusedError extends Error {
  override name = "RestoreRefusedError";
}

export interface DatabaseRestoreResult {
  database: string;
  created: boolean;
  /** Row counts of the restored database, "schema.table". */
  tables: Record<string, number>;
}

/**
 * Restores a database backup into `targetUrl`'s database: the dump is verified first
 * (checksum, pg_restore --list), the database created when missing, and a database that
 * already has tables is refused unless `force` (then the dump's objects are dropped and
 * recreated; tables the dump does not have are left alone). One transaction: a restore
 * that fails leaves the target as it was.
 */
export async function restoreDatabaseDump(
  ctx: BackupContext,
  record: BackupRef,
  targetUrl: string,
  options: { force: boolean },
): Promise<DatabaseRestoreResult> {
  const database = databaseNameOf(targetUrl);
  await checkDatabaseDump(ctx, record);
  const created = !(await databaseExists(targetUrl));
  if (created) await createDatabase(targetUrl);
  await withPgClient(targetUrl, async (client) => {
    await assertToolFitsServer(ctx.tools.pgRestore, "pg_restore", await serverVersionNum(client));
    if (!options.force && !(await hasNoTables(client))) {
      throw new RestoreRefusedError(
        `the database ${database} is not empty: restore into a new database, or pass --force to replace the backup's tables in it`,
      );
    }
  });
  ctx.progress?.(`restoring ${record.location} into ${database}${created ? " (created)" : ""}`);
  await pgRestore(ctx, record.location, targetUrl, options.force);
  const tables = await withPgClient(targetUrl, tableRowCounts);
  ctx.logger.info({ backupId: record.id, database, created }, "database backup restored");
  return { database, created, tables };
}

async function pgRestore(ctx: BackupContext, location: string, targetUrl: string, clean: boolean) {
  const read = await ctx.store.getObject(location);
  if (!read) throw new PgToolError(`the dump ${location} is missing from the backup store`);
  const { dbname, env } = connectionForTool(targetUrl);
  const child = spawnTool(
    ctx.tools.pgRestore,
    [
      "--no-owner",
      "--no-privileges",
      "--no-password",
      "--exit-on-error",
      "--single-transaction",
      ...(clean ? ["--clean", "--if-exists"] : []),
      `--dbname=${dbname}`,
    ],
    { env, stdin: true, signal: ctx.signal },
  );
  const stderr = collectStderr(child);
  const exited = exitOf(child);
  exited.catch(() => undefined);
  const stdin = child.stdin;
  if (stdin) {
    stdin.on("error", () => undefined);
    read.body.pipe(byteProgress("restored", ctx.progress)).pipe(stdin);
  }
  child.stdout.resume();
  const code = await exited.finally(() => read.body.destroy());
  if (code !== 0)
    throw new PgToolError(`pg_restore failed (exit ${String(code)}): ${stderr() || "no message"}`);
}

/** Tables whose count differs from the recorded one ("table: expected → actual"). */
export function countMismatches(
  recorded: Record<string, number>,
  actual: Record<string, number>,
  expectedChange: Record<string, number> = {},
): string[] {
  return Object.entries(recorded).flatMap(([table, count]) => {
    const expected = count + (expectedChange[table] ?? 0);
    const found = actual[table];
    return found === expected
      ? []
      : [`${table}: ${expected} expected, ${found ?? "no table"} found`];
  });
}
