import type { Db, Prisma } from "@lifeline/db";

import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import { clock, type AuthDeps, type ClientMeta } from "./deps";
import { publicUserSelect, toPublicUser } from "./public-user";
import { generateRefreshToken, hashRefreshToken } from "./refresh-token";
import { issueTokenPair, type TokenPair } from "./token-pair";

type Tx = Prisma.TransactionClient;

const USER_AGENT_MAX = 512;

function slidingExpiry(now: Date, absolute: Date, idleSeconds: number): Date {
  return new Date(Math.min(now.getTime() + idleSeconds * 1000, absolute.getTime()));
}

/** Starts a refresh-token family for a user who just proved who they are. */
export async function startSession(
  deps: AuthDeps,
  userId: string,
  meta: ClientMeta,
): Promise<{ sessionId: string; refreshToken: string }> {
  const now = clock(deps);
  const refreshToken = generateRefreshToken();
  const tokenHash = hashRefreshToken(refreshToken);
  const absoluteExpiresAt = new Date(now.getTime() + deps.config.refreshAbsoluteTtlSeconds * 1000);
  const session = await deps.db.session.create({
    data: {
      userId,
      absoluteExpiresAt,
      expiresAt: slidingExpiry(now, absoluteExpiresAt, deps.config.refreshIdleTtlSeconds),
      // Metadata for the sessions list, not user input we answer for: kept to a bounded size.
      userAgent: meta.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      ip: meta.ip,
      createdAt: now,
      lastUsedAt: now,
      refreshTokens: { create: { tokenHash, createdAt: now } },
    },
    select: { id: true },
  });
  return { sessionId: session.id, refreshToken };
}

const invalidRefreshToken = () => new AppError("UNAUTHORIZED", "Invalid or expired refresh token");

type RotateOutcome =
  | { kind: "rotated"; sessionId: string; refreshToken: string; userId: string }
  | { kind: "reused"; sessionId: string; userId: string }
  | { kind: "invalid" };

async function rotateInTransaction(
  deps: AuthDeps,
  tx: Tx,
  presented: string,
): Promise<RotateOutcome> {
  const now = clock(deps);
  const row = await tx.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(presented) },
    select: {
      tokenHash: true,
      rotatedAt: true,
      session: {
        select: {
          id: true,
          userId: true,
          revokedAt: true,
          expiresAt: true,
          absoluteExpiresAt: true,
        },
      },
    },
  });
  if (!row) return { kind: "invalid" };
  const { session } = row;
  if (session.revokedAt || session.expiresAt <= now) return { kind: "invalid" };

  // Claim the token: only one concurrent caller can flip rotated_at from NULL.
  const claimed = await tx.refreshToken.updateMany({
    where: { tokenHash: row.tokenHash, rotatedAt: null },
    data: { rotatedAt: now },
  });
  if (claimed.count === 0) return { kind: "reused", sessionId: session.id, userId: session.userId };

  const refreshToken = generateRefreshToken();
  const tokenHash = hashRefreshToken(refreshToken);
  await tx.refreshToken.create({ data: { tokenHash, sessionId: session.id, createdAt: now } });
  await tx.session.update({
    where: { id: session.id },
    data: {
      lastUsedAt: now,
      expiresAt: slidingExpiry(now, session.absoluteExpiresAt, deps.config.refreshIdleTtlSeconds),
    },
  });
  return { kind: "rotated", sessionId: session.id, refreshToken, userId: session.userId };
}

/**
 * Exchanges a refresh token for a new pair, rotating it in one transaction. A token that was
 * already rotated out means two parties hold the family: it is revoked whole and audited.
 */
export async function refreshSession(
  deps: AuthDeps,
  presented: string,
  meta: ClientMeta,
): Promise<TokenPair> {
  const outcome = await deps.db.$transaction((tx) => rotateInTransaction(deps, tx, presented));
  if (outcome.kind === "invalid") throw invalidRefreshToken();
  if (outcome.kind === "reused") {
    await revokeFamily(deps.db, outcome.sessionId, "refresh_reuse", clock(deps));
    await writeAuditEvent(deps.db, {
      type: "refresh_reuse",
      userId: outcome.userId,
      ip: meta.ip,
      data: { sessionId: outcome.sessionId, userAgent: meta.userAgent ?? null },
    });
    throw invalidRefreshToken();
  }
  const user = await deps.db.user.findUniqueOrThrow({
    where: { id: outcome.userId },
    select: publicUserSelect,
  });
  return issueTokenPair(deps, toPublicUser(user), outcome.sessionId, outcome.refreshToken);
}

async function revokeFamily(db: Db, sessionId: string, reason: string, now: Date): Promise<void> {
  await db.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
}

/** Ends the family a refresh token belongs to. Unknown tokens are ignored: logout always succeeds. */
export async function logout(deps: AuthDeps, presented: string, meta: ClientMeta): Promise<void> {
  const row = await deps.db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(presented) },
    select: { session: { select: { id: true, userId: true, revokedAt: true } } },
  });
  if (!row || row.session.revokedAt) return;
  await revokeFamily(deps.db, row.session.id, "logout", clock(deps));
  await writeAuditEvent(deps.db, {
    type: "logout",
    userId: row.session.userId,
    ip: meta.ip,
    data: { sessionId: row.session.id },
  });
}

/** Revokes every live session of the user, except `keepSessionId` when given. Returns how many. */
export async function revokeUserSessions(
  deps: Pick<AuthDeps, "db" | "now">,
  userId: string,
  reason: string,
  keepSessionId?: string,
): Promise<number> {
  const { count } = await deps.db.session.updateMany({
    where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    data: { revokedAt: clock(deps), revokedReason: reason },
  });
  return count;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/** The user's live sessions, newest activity first. */
export async function listSessions(
  deps: AuthDeps,
  userId: string,
  currentSessionId: string,
): Promise<SessionView[]> {
  const sessions = await deps.db.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: clock(deps) } },
    orderBy: [{ lastUsedAt: "desc" }, { id: "asc" }],
    select: { id: true, createdAt: true, lastUsedAt: true, userAgent: true, ip: true },
  });
  return sessions.map((s) => ({
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    userAgent: s.userAgent,
    ip: s.ip,
    current: s.id === currentSessionId,
  }));
}

/** Revokes one of the user's own live sessions; anyone else's id is NOT_FOUND. */
export async function revokeSession(
  deps: AuthDeps,
  userId: string,
  sessionId: string,
  meta: ClientMeta,
): Promise<void> {
  const { count } = await deps.db.session.updateMany({
    where: { id: sessionId, userId, revokedAt: null },
    data: { revokedAt: clock(deps), revokedReason: "revoked_by_user" },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "No such session");
  await writeAuditEvent(deps.db, {
    type: "session_revoked",
    userId,
    ip: meta.ip,
    data: { sessionId },
  });
}
