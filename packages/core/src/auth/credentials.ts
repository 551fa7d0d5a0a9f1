import { isUniqueViolation } from "@lifeline/db";

import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import type { AuthDeps, ClientMeta } from "./deps";
import { normaliseEmail } from "./email";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import { publicUserSelect, toPublicUser, type PublicUser } from "./public-user";
import { revokeUserSessions, startSession } from "./sessions";
import { issueTokenPair, type TokenPair } from "./token-pair";

export interface Credentials {
  email: string;
  password: string;
}

/** Creates an account. Emails are unique whatever their letter case. */
export async function register(
  deps: AuthDeps,
  input: Credentials,
  meta: ClientMeta,
): Promise<PublicUser> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password, deps.config.bcryptCost);
  try {
    const user = await deps.db.user.create({
      data: { email, passwordHash },
      select: publicUserSelect,
    });
    await writeAuditEvent(deps.db, { type: "register", userId: user.id, ip: meta.ip });
    return toPublicUser(user);
  } catch (error) {
    if (isUniqueViolation(error, "email")) {
      throw new AppError("CONFLICT", "An account with this email already exists", [
        { path: "email", message: "already registered" },
      ]);
    }
    throw error;
  }
}

const invalidCredentials = () => new AppError("UNAUTHORIZED", "Invalid email or password");

/**
 * Checks a password and starts a session. An unknown email still pays for one bcrypt compare
 * (against a dummy hash of the same cost), so the answer and its timing are the same.
 */
export async function login(
  deps: AuthDeps,
  input: Credentials,
  meta: ClientMeta,
): Promise<TokenPair> {
  const email = normaliseEmail(input.email);
  const user = await deps.db.user.findUnique({
    where: { email },
    select: { ...publicUserSelect, passwordHash: true },
  });
  const ok = await verifyPassword(
    input.password,
    user?.passwordHash ?? (await dummyHash(deps.config.bcryptCost)),
  );
  if (!user || !ok) {
    await writeAuditEvent(deps.db, {
      type: "login_failed",
      userId: user?.id ?? null,
      ip: meta.ip,
      data: { reason: user ? "wrong_password" : "unknown_email" },
    });
    throw invalidCredentials();
  }
  const { sessionId, refreshToken } = await startSession(deps, user.id, meta);
  await writeAuditEvent(deps.db, {
    type: "login",
    userId: user.id,
    ip: meta.ip,
    data: { sessionId },
  });
  return issueTokenPair(deps, toPublicUser(user), sessionId, refreshToken);
}

/** Changes the password after checking the current one; every other session ends. */
export async function changePassword(
  deps: AuthDeps,
  auth: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  meta: ClientMeta,
): Promise<{ revokedSessions: number }> {
  const user = await deps.db.user.findUniqueOrThrow({
    where: { id: auth.userId },
    select: { passwordHash: true },
  });
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    // FORBIDDEN, not UNAUTHORIZED: the caller is signed in; only the proof is wrong.
    throw new AppError("FORBIDDEN", "Current password is incorrect", [
      { path: "currentPassword", message: "incorrect" },
    ]);
  }
  const passwordHash = await hashPassword(input.newPassword, deps.config.bcryptCost);
  await deps.db.user.update({ where: { id: auth.userId }, data: { passwordHash } });
  const revokedSessions = await revokeUserSessions(
    deps,
    auth.userId,
    "password_changed",
    auth.sessionId,
  );
  await writeAuditEvent(deps.db, {
    type: "password_changed",
    userId: auth.userId,
    ip: meta.ip,
    data: { revokedSessions },
  });
  return { revokedSessions };
}

/** Signs the user out everywhere, this session included. */
export async function logoutAll(
  deps: AuthDeps,
  userId: string,
  meta: ClientMeta,
): Promise<{ revokedSessions: number }> {
  const revokedSessions = await revokeUserSessions(deps, userId, "logout_all");
  await writeAuditEvent(deps.db, {
    type: "logout_all",
    userId,
    ip: meta.ip,
    data: { revokedSessions },
  });
  return { revokedSessions };
}
