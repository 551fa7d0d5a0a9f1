import pg from "pg";

/** Database name from a connection string, e.g. `lifeline` from postgresql://h/lifeline. */
export function databaseName(connectionString: string): string {
  const name = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  return name;
}

/** The same server's maintenance database, for CREATE/DROP DATABASE. */
export function maintenanceUrl(connectionString: string): string {
  const url = new URL(connectionString);
  url.pathname = "/postgres";
  return url.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The database a URL names does not exist, and creating it was not allowed. */
export class DatabaseMissingError extends Error {
  override name = "DatabaseMissingError";
}

/**
 * Creates the database named by the URL when it does not exist yet; returns true if made.
 * With `create: false` (production) a missing database is an error that names it: there, a
 * misspelt DATABASE_URL must not quietly become a new, empty, migrated database.
 */
export async function ensureDatabase(
  connectionString: string,
  options: { create?: boolean } = {},
): Promise<boolean> {
  const name = databaseName(connectionString);
  const client = new pg.Client({ connectionString: maintenanceUrl(connectionString) });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    if (options.create === false) {
      const server = new URL(connectionString).host;
      throw new DatabaseMissingError(
        `database "${name}" does not exist on ${server}; create it, or check DATABASE_URL (it is created automatically only in development and test)`,
      );
    }
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (error) {
    // Two processes racing to create it: the loser sees duplicate_database (42P04).
    if ((error as { code?: string } | null)?.code === "42P04") return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Drops the database, ending its open connections first. */
export async function dropDatabase(connectionString: string): Promise<void> {
  const name = databaseName(connectionString);
  const client = new pg.Client({ connectionString: maintenanceUrl(connectionString) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
