import path from "node:path";

import { createTestDatabase } from "@lifeline/db/testing";

import { diffDatabaseAgainstSchema } from "./diff";
import { migrationsDir } from "./paths";
import { migrationSlug, writeMigration } from "./write-migration";

// `pnpm db:diff <migration_name>`: the migration that takes the database the existing
// migrations produce to schema.prisma. A throwaway database stands in for "the migrations",
// so the developer's own database (and whatever drift it has) plays no part.
// A CLI, so it reports on stdout/stderr rather than through the service logger.

const name = process.argv.slice(2).find((arg) => arg !== "--");
if (!name) {
  process.stderr.write("usage: pnpm db:diff <migration_name>\n");
  process.exit(2);
}

try {
  migrationSlug(name); // reject a bad name before spending a database on it
  // createTestDatabase = CREATE DATABASE + @lifeline/db's applyMigrations of every migration.
  const database = await createTestDatabase("prisma_diff");
  try {
    const sql = await diffDatabaseAgainstSchema(database.url);
    if (!sql) {
      process.stdout.write("no changes: the migrations already match schema.prisma\n");
    } else {
      const file = await writeMigration(migrationsDir, name, sql);
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n\n${sql}`);
    }
  } finally {
    await database.drop();
  }
} catch (error) {
  process.stderr.write(
    `db:diff failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
