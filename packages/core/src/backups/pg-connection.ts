import { createHash } from "node:crypto";

import pg from "pg";

/**
 * Plain connections of their own for what backups need beyond Prisma's pool: a snapshot
 * held open while pg_dump reads it, a session-level advisory lock, CREATE/DROP DATABASE.
 */
export async function withPgClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function serverVersionNum(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ server_version_num: string }>("SHOW server_version_num");
  return Number(rows[0]?.server_version_num);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table outside the system schemas, as "schema.table" (quoted only where needed). */
async function userTables(client: pg.Client): Promise<{ schema: string; table: string }[]> {
  const { rows } = await client.query<{ schemaname: string; tablename: string }>(
    `SELECT schemaname, tablename FROM pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg_toast%'
      ORDER BY schemaname, tablename`,
  );
  return rows.map((r) => ({ schema: r.schemaname, table: r.tablename }));
}

/** Exact row counts of every table, keyed "schema.table", in the client's current snapshot. */
export async function tableRowCounts(client: pg.Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { schema, table } of await userTables(client)) {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) AS count FROM ${quoteIdent(schema)}.${quoteIdent(table)}`,
    );
    counts[`${schema}.${table}`] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}

/** True when the database has no table of its own (a fresh one, or one never migrated). */
export async function hasNoTables(client: pg.Client): Promise<boolean> {
  return (await userTables(client)).length === 0;
}

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = "/postgres";
  return parsed.toString();
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
}

/** A URL for another database on the same server, with the same credentials. */
export function sameServerUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export async function databaseExists(url: string): Promise<boolean> {
  return withPgClient(maintenanceUrl(url), async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      databaseNameOf(url),
    ]);
    return (rowCount ?? 0) > 0;
  });
}

export async function createDatabase(url: string): Promise<void> {
  await withPgClient(maintenanceUrl(url), async (client) => {
    await client.query(`CREATE DATABASE ${quoteIdent(databaseNameOf(url))}`);
  });
}

/** Drops a database, ending its sessions first (a drill's scratch database). */
export async function dropDatabase(url: string): Promise<void> {
  await withPgClient(maintenanceUrl(url), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(databaseNameOf(url))} WITH (FORCE)`);
  });
}

/** The advisory-lock key every backup operation takes (hashed, so it collides with no other user's). */
const BACKUP_LOCK_KEY = createHash("sha256")
  .update("lifeline:backups")
  .digest()
  .readBigInt64BE(0)
  .toString();

/**
 * Runs `fn` while holding the backups' session advisory lock on a connection of its own:
 * one backup, restore drill or retention pass at a time across every jobs process and
 * `pnpm backup:run`, so retention never deletes blobs a running media backup just copied.
 */
export async function withBackupLock<T>(databaseUrl: string, fn: () => Promise<T>): Promise<T> {
  return withPgClient(databaseUrl, async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [BACKUP_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [BACKUP_LOCK_KEY]).catch(() => undefined);
    }
  });
}
