import pg from "pg";

/**
 * True when the database has no tables of its own (`_prisma_migrations` aside). Introspecting
 * such a database fails (P4001), so the diff starts from an empty schema instead.
 */
export async function databaseIsEmpty(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `SELECT 1 FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations' LIMIT 1`,
    );
    return rowCount === 0;
  } finally {
    await client.end();
  }
}
