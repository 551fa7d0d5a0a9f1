import type { Db, Prisma } from "@lifeline/db";

import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import { clock, type AuthDeps, type ClientMeta } from "./deps";
import { publicUserSelect, toPublicUser } from "./public-user";
import { generateRefreshToken, hashRefreshToken, successorOf } from "./refresh-token";
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

const invalidRefreshToken = () =>
  new AppError({
    code: "UNAUTHORIZED",
    reason: "credentials_invalid",
    message: "Invalid or expired refresh token",
  });

type RotateOutcome =
  | { kind: "rotated"; sessionId: string; refreshToken: string; userId: string }
  | { kind: "reused"; sessionId: string; userId: string }
  | { kind: "invalid" };

type Presented = NonNullable<Awaited<ReturnType<typeof findPresented>>>;

function findPresented(tx: Tx, tokenHash: string) {
  return tx.refreshToken.findUnique({
    where: { tokenHash },
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
}

/**
 * A token already rotated, presented again: within the grace window and while its successor
 * is still unused, it is a retry (a timed-out request, a second tab) and gets that same
 * successor; otherwise two parties hold the family, which is reuse.
 */
async function retryOrReuse(
  deps: AuthDeps,
  tx: Tx,
  presented: string,
  row: Presented,
  now: Date,
): Promise<RotateOutcome> {
  const { session } = row;
  const reused: RotateOutcome = { kind: "reused", sessionId: session.id, userId: session.userId };
  const graceMs = deps.config.refreshReuseGraceSeconds * 1000;
  // Read after the claim failed, so rotatedAt is the winner's committed value.
  const rotated = await tx.refreshToken.findUnique({
    where: { tokenHash: row.tokenHash },
    select: { rotatedAt: true },
  });
  if (graceMs <= 0 || !rotated?.rotatedAt) return reused;
  if (now.getTime() - rotated.rotatedAt.getTime() > graceMs) return reused;
  const successor = successorOf(presented, deps.config.tokenSecret);
  const next = await tx.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(successor) },
    select: { sessionId: true, rotatedAt: true },
  });
  if (next?.sessionId !== session.id || next.rotatedAt) return reused;
  return {
    kind: "rotated",
    sessionId: session.id,
    refreshToken: successor,
    userId: session.userId,
  };
}

async function rotateInTransaction(
  deps: AuthDeps,
  tx: Tx,
  presented: string,
): Promise<RotateOutcome> {
  const now = clock(deps);
  const row = await findPresented(tx, hashRefreshToken(presented));
  if (!row) return { kind: "invalid" };
  const { session } = row;
  if (session.revokedAt || session.expiresAt <= now) return { kind: "invalid" };

  // Claim the token: only one concurrent caller can flip rotated_at from NULL. The others
  // wait on the row lock, then find it rotated.
  const claimed = await tx.refreshToken.updateMany({
    where: { tokenHash: row.tokenHash, rotatedAt: null },
    data: { rotatedAt: now },
  });
  if (claimed.count === 0) return retryOrReuse(deps, tx, presented, row, now);

  const refreshToken = successorOf(presented, deps.config.tokenSecret);
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
 * already rotated out means two parties hold the family, unless it is a retry inside the
 * grace window (see retryOrReuse): the family is revoked whole and audited.
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
  if (count === 0) throw new AppError({ code: "NOT_FOUND", message: "No such session" });
  await writeAuditEvent(deps.db, {
    type: "session_revoked",
    userId,
    ip: meta.ip,
    data: { sessionId },
  });
}
