import { randomBytes } from "node:crypto";

import { applyMigrations } from "../migrate/apply-migrations";
import { dropDatabase, ensureDatabase } from "../migrate/ensure-database";

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

const DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A fresh, migrated database of its own for one test run, on the server of `baseUrl`
 * (TEST_DATABASE_SERVER, else DATABASE_URL's server, else the local one). Drop it when done.
 */
export async function createTestDatabase(label = "test", baseUrl?: string): Promise<TestDatabase> {
  const url = new URL(
    baseUrl ?? process.env.TEST_DATABASE_SERVER ?? process.env.DATABASE_URL ?? DEFAULT_SERVER,
  );
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 20);
  url.pathname = `/lifeline_${safeLabel}_${randomBytes(5).toString("hex")}`;
  const connectionString = url.toString();
  await ensureDatabase(connectionString);
  await applyMigrations(connectionString);
  return { url: connectionString, drop: () => dropDatabase(connectionString) };
}

export { dropDatabase, ensureDatabase } from "../migrate/ensure-database";
