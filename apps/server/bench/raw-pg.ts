import { createRequire } from "node:module";

/**
 * node-postgres without Prisma, for the diagnostics only: the same lookup through the same
 * driver Prisma's adapter uses shows what Prisma itself adds. `pg` is a dependency of
 * @lifeline/db, not of this app, so it is loaded from there instead of adding a dependency
 * (and @types/pg) to the server for a benchmark; the few members used are typed below.
 */
export interface RawPool {
  /** Rows as pg parses them (timestamptz → Date); callers know their SQL's shape. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max: number }) => RawPool;
}

const requireFromDb = createRequire(import.meta.resolve("@lifeline/db"));

/** Pool of 10, as createDb gives Prisma's adapter, so the comparison is like for like. */
export function createRawPool(connectionString: string): RawPool {
  const pg = requireFromDb("pg") as PgModule;
  return new pg.Pool({ connectionString, max: 10 });
}

export interface SessionRow {
  user_id: string;
  revoked_at: Date | null;
  expires_at: Date;
  id: string;
  email: string;
  email_verified_at: Date | null;
  created_at: Date;
}

/** What authenticate() asks Prisma for (session by primary key with its user), as one join. */
export const SESSION_WITH_USER_SQL = `
  SELECT s.user_id, s.revoked_at, s.expires_at, u.id, u.email, u.email_verified_at, u.created_at
  FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = $1`;
