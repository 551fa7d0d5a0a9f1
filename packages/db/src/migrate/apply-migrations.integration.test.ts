import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";

import { applyMigrations, defaultMigrationsDir } from "./apply-migrations";
import { dropDatabase, ensureDatabase } from "./ensure-database";

// Against the real Postgres: the runner's whole point is matching what Prisma's engine
// reads and writes in `_prisma_migrations` (docs/migrations.md has the contract).

const SERVER =
  process.env.TEST_DATABASE_SERVER ??
  process.env.DATABASE_URL ??
  "postgresql://postgres@127.0.0.1:5432/postgres";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An empty database of this test's own, dropped after it. */
async function freshDatabase(): Promise<string> {
  const url = new URL(SERVER);
  url.pathname = `/lifeline_db_migrate_${randomBytes(5).toString("hex")}`;
  const connectionString = url.toString();
  await ensureDatabase(connectionString);
  cleanups.push(() => dropDatabase(connectionString));
  return connectionString;
}

/** A copy of the real migrations plus `extra` ({ folder name: SQL }), removed after the test. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "lifeline-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(defaultMigrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const [row] = await query<{ exists: boolean }>(
    url,
    "SELECT to_regclass($1) IS NOT NULL AS exists",
    [table],
  );
  return row?.exists ?? false;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const rowsOf = (url: string) =>
  query<MigrationRow>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe("applyMigrations", () => {
  it("applies every migration once and records it as prisma migrate deploy does", async () => {
    const url = await freshDatabase();
    const names = await migrationNames(defaultMigrationsDir);
    expect(names.length).toBeGreaterThan(0);

    const result = await applyMigrations(url);

    expect(result).toEqual({ applied: names, alreadyApplied: 0 });
    const rows = await rowsOf(url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(
        path.join(defaultMigrationsDir, row.migration_name, "migration.sql"),
        "utf8",
      );
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
    }
    expect(await tableExists(url, "users")).toBe(true);
  });

  it("applies nothing the second time", async () => {
    const url = await freshDatabase();
    const first = await applyMigrations(url);
    const rowsBefore = await rowsOf(url);

    const second = await applyMigrations(url);

    expect(second).toEqual({ applied: [], alreadyApplied: first.applied.length });
    expect(await rowsOf(url)).toEqual(rowsBefore);
  });

  it("refuses a non-empty database that has no migration history (P3005)", async () => {
    const url = await freshDatabase();
    await query(url, "CREATE TABLE legacy (id int)");

    await expect(applyMigrations(url)).rejects.toThrow(/P3005/);

    expect(await tableExists(url, "_prisma_migrations")).toBe(false);
    expect(await tableExists(url, "users")).toBe(false);
  });

  it("refuses to run while a failed migration is recorded (P3009)", async () => {
    const url = await freshDatabase();
    await applyMigrations(url);
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs)
       VALUES (gen_random_uuid(), $1, '29990101000000_broken', 'boom')`,
      ["0".repeat(64)],
    );
    const dir = await migrationsWith({
      "29990102000000_next": "CREATE TABLE next_probe (id int);",
    });

    await expect(applyMigrations(url, dir)).rejects.toThrow(/P3009.*29990101000000_broken/);

    expect(await tableExists(url, "next_probe")).toBe(false);
  });

  it("records a failing migration with its logs and leaves none of its changes", async () => {
    const url = await freshDatabase();
    const bad = "29990101000000_bad";
    const dir = await migrationsWith({
      // The first statement succeeds, the second fails: the whole file must roll back.
      [bad]: "CREATE TABLE partial_probe (id int);\nSELECT * FROM no_such_table;\n",
      "29990102000000_after": "CREATE TABLE after_probe (id int);",
    });

    await expect(applyMigrations(url, dir)).rejects.toThrow(
      /29990101000000_bad failed.*no_such_table/,
    );

    const rows = await rowsOf(url);
    const failed = rows.find((r) => r.migration_name === bad);
    expect(failed).toMatchObject({
      finished_at: null,
      rolled_back_at: null,
      applied_steps_count: 0,
    });
    expect(failed?.logs).toMatch(/no_such_table/);
    expect(await tableExists(url, "partial_probe")).toBe(false);
    // Earlier migrations stay applied; later ones are not attempted.
    expect(rows.filter((r) => r.finished_at !== null).length).toBe(
      (await migrationNames(defaultMigrationsDir)).length,
    );
    expect(rows.some((r) => r.migration_name === "29990102000000_after")).toBe(false);
    expect(await tableExists(url, "after_probe")).toBe(false);
    // ...and the next run stops at the failure instead of carrying on.
    await expect(applyMigrations(url, dir)).rejects.toThrow(/P3009/);
  });

  it("applies each migration exactly once when two runs race on a fresh database", async () => {
    const url = await freshDatabase();
    // A slow migration widens the window in which, without the advisory lock, the other
    // run would see it pending too and apply it again.
    const dir = await migrationsWith({
      "29990101000000_slow": "SELECT pg_sleep(0.5); CREATE TABLE slow_probe (id int);",
    });
    const names = await migrationNames(dir);

    // allSettled: both runs finish before the database is dropped, whatever happens.
    const settled = await Promise.allSettled([
      applyMigrations(url, dir),
      applyMigrations(url, dir),
    ]);

    const results = settled.map((s) =>
      s.status === "fulfilled" ? s.value : (s.reason as unknown),
    );
    expect(results).toEqual([
      { applied: expect.any(Array), alreadyApplied: expect.any(Number) },
      { applied: expect.any(Array), alreadyApplied: expect.any(Number) },
    ]);
    const applied = settled.flatMap((s) => (s.status === "fulfilled" ? s.value.applied : []));
    expect(applied.sort()).toEqual(names);
    const counts = await query<{ migration_name: string; n: number }>(
      url,
      `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY 1`,
    );
    expect(counts).toEqual(names.map((migration_name) => ({ migration_name, n: 1 })));
  });
});
