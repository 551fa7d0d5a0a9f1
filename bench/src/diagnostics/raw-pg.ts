import pg from "pg";

/**
 * node-postgres without Prisma, for the diagnostics only: the same lookup through the same
 * driver Prisma's adapter uses shows what Prisma itself adds.
 */
export type RawPool = pg.Pool;

/** Pool of 10, as createDb gives Prisma's adapter, so the comparison is like for like. */
export function createRawPool(connectionString: string): RawPool {
  return new pg.Pool({ connectionString, max: 10 });
}

/** A row of SESSION_WITH_USER_SQL, as pg parses it (timestamptz → Date). */
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
