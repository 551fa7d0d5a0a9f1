import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Prisma's folder prefix: UTC YYYYMMDDHHMMSS. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

function parseTimestamp(prefix: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(prefix) ?? [];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/** Prisma's own naming: lower case, anything else to `_`. */
export function migrationSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!slug) throw new Error(`"${name}" is not usable as a migration name`);
  return slug;
}

/**
 * Writes `<migrationsDir>/<timestamp>_<name>/migration.sql` and returns its path. Migrations
 * apply in folder-name order, so the prefix is bumped past the newest existing one when the
 * clock is behind it (e.g. a migration written on a machine whose clock ran ahead).
 */
export async function writeMigration(
  migrationsDir: string,
  name: string,
  sql: string,
  now = new Date(),
): Promise<string> {
  const existing = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name.slice(0, 14))
    .filter((prefix) => /^\d{14}$/.test(prefix))
    .sort();
  let prefix = timestamp(now);
  const newest = existing.at(-1);
  if (newest && prefix <= newest)
    prefix = timestamp(new Date(parseTimestamp(newest).getTime() + 1000));
  const dir = path.join(migrationsDir, `${prefix}_${migrationSlug(name)}`);
  await mkdir(dir);
  const file = path.join(dir, "migration.sql");
  await writeFile(file, sql.endsWith("\n") ? sql : `${sql}\n`);
  return file;
}
