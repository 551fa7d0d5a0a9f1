import { databaseEnvSchema, loadDotEnv, parseEnv } from "@lifeline/env";

import { applyMigrations } from "./apply-migrations";
import { ensureDatabase } from "./ensure-database";

// `pnpm db:migrate`: create the database if needed, then apply pending migrations.
// A CLI, so it reports on stdout/stderr rather than through the service logger.
loadDotEnv();
const { DATABASE_URL, NODE_ENV } = parseEnv(databaseEnvSchema);
const target = new URL(DATABASE_URL);
target.password = target.password ? "***" : "";

try {
  if (await ensureDatabase(DATABASE_URL, { create: NODE_ENV !== "production" }))
    process.stdout.write(`created database ${target.pathname.slice(1)}\n`);
  const { applied, alreadyApplied } = await applyMigrations(DATABASE_URL);
  process.stdout.write(
    `migrations: ${applied.length} applied${applied.length ? ` (${applied.join(", ")})` : ""}, ${alreadyApplied} already in ${target.host}${target.pathname}\n`,
  );
} catch (error) {
  process.stderr.write(
    `db:migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
