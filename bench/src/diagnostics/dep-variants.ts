import type { AccessTokenClaims, AccessTokens } from "@lifeline/core";
import type { Db } from "@lifeline/db";

import { SESSION_WITH_USER_SQL, type RawPool, type SessionRow } from "./raw-pg";

/**
 * Stand-ins for parts of ApiDeps, for the diagnostic copies of the real app (BENCH_DIAGNOSE=1): each one replaces
 * a single step of auth.me (JWT verify or the session lookup) so the benchmark shows what that
 * step costs, or what an alternative would gain, with everything else unchanged. Bench-only.
 */

/** What authenticate() selects: the session and its user (mirrors core's publicUserSelect). */
export const SESSION_SELECT = {
  userId: true,
  revokedAt: true,
  expiresAt: true,
  user: { select: { id: true, email: true, emailVerifiedAt: true, createdAt: true } },
} as const;

export interface SessionWithUser {
  userId: string;
  revokedAt: Date | null;
  expiresAt: Date;
  user: { id: string; email: string; emailVerifiedAt: Date | null; createdAt: Date };
}

export type SessionLookup = (sessionId: string) => Promise<SessionWithUser | null>;

/** The lookup as authenticate() does it: Prisma's findUnique, as one JOIN. */
export const prismaLookup =
  (db: Db): SessionLookup =>
  (id) =>
    db.session.findUnique({ where: { id }, relationLoadStrategy: "join", select: SESSION_SELECT });

/** The same data as ONE joined SQL statement, still through Prisma (its raw-query path). */
export const prismaRawJoinLookup =
  (db: Db): SessionLookup =>
  async (id) =>
    toSession((await db.$queryRawUnsafe<SessionRow[]>(SESSION_WITH_USER_SQL, id))[0]);

/** The same joined statement straight through node-postgres: the floor for any lookup. */
export const pgJoinLookup =
  (pool: RawPool): SessionLookup =>
  async (id) =>
    toSession((await pool.query(SESSION_WITH_USER_SQL, [id])).rows[0] as SessionRow | undefined);

/** Answers each session id once from the wrapped lookup, then from memory (an ideal cache). */
export function memoise(lookup: SessionLookup): SessionLookup {
  const cache = new Map<string, Promise<SessionWithUser | null>>();
  return (id) => {
    let hit = cache.get(id);
    if (!hit) cache.set(id, (hit = lookup(id)));
    return hit;
  };
}

/** verify() that checks each token once; what an in-process verified-token cache would save. */
export function memoisedVerify(tokens: AccessTokens): AccessTokens {
  const cache = new Map<string, Promise<AccessTokenClaims>>();
  return {
    ...tokens,
    verify: (token) => {
      let claims = cache.get(token);
      if (!claims) cache.set(token, (claims = tokens.verify(token)));
      return claims;
    },
  };
}

/**
 * A Db whose session.findUnique is `lookup`; everything else is the real client. Only valid
 * for authenticate()'s call (`where: { id }` with SESSION_SELECT), which is all auth.me makes.
 */
export function withSessionLookup(db: Db, lookup: SessionLookup): Db {
  const session = new Proxy(db.session, {
    get: (target, prop) =>
      prop === "findUnique"
        ? (args: { where: { id: string } }) => lookup(args.where.id)
        : bind(target, prop),
  });
  return new Proxy(db, {
    get: (target, prop) => (prop === "session" ? session : bind(target, prop)),
  });
}

/** Methods keep the real object as `this`: Prisma's client has internals a Proxy cannot reach. */
function bind(target: object, prop: string | symbol): unknown {
  const value: unknown = Reflect.get(target, prop);
  return typeof value === "function"
    ? (value as (...args: unknown[]) => unknown).bind(target)
    : value;
}

function toSession(row: SessionRow | undefined): SessionWithUser | null {
  if (!row) return null;
  return {
    userId: row.user_id,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
    user: {
      id: row.id,
      email: row.email,
      emailVerifiedAt: row.email_verified_at,
      createdAt: row.created_at,
    },
  };
}
