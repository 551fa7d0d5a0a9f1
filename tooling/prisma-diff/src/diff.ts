import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { databaseIsEmpty } from "./database-is-empty";
import { introspectDatabase } from "./introspect";
import { runPrisma } from "./run-prisma";
import { writeSchemaCopy } from "./schema-copy";

/** True when SQL holds nothing but whitespace and `--` comments ("-- This is an empty migration."). */
export function isEmptySql(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, "").trim() === "";
}

/**
 * The SQL that brings the database at `databaseUrl` to packages/db's schema.prisma, or ""
 * when they already match. Read-only for that database. Needs the migrations' Postgres to
 * be reachable; sets up prisma's environment itself.
 */
export async function diffDatabaseAgainstSchema(databaseUrl: string): Promise<string> {
  const target = await writeSchemaCopy();
  const dir = await mkdtemp(path.join(tmpdir(), "lifeline-prisma-diff-"));
  try {
    const from = (await databaseIsEmpty(databaseUrl))
      ? ["--from-empty"]
      : ["--from-schema-datamodel", await introspectDatabase(databaseUrl, dir)];
    const output = path.join(dir, "diff.sql");
    // --output, not stdout, so nothing prisma prints can end up in the SQL.
    await runPrisma(
      ["migrate", "diff", ...from, "--to-schema-datamodel", target, "--script", "--output", output],
      databaseUrl,
    );
    const sql = await readFile(output, "utf8");
    return isEmptySql(sql) ? "" : sql;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
