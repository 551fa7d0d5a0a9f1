import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import type { AuthDeps, ClientMeta } from "./deps";
import { normaliseEmail } from "./email";
import { fitsBcrypt } from "./password";
import { publicUserSelect, toPublicUser } from "./public-user";
import { revokeUserSessions, startSession } from "./sessions";
import { issueTokenPair, type TokenPair } from "./token-pair";

export interface Credentials {
  email: string;
  password: string;
}

const invalidCredentials = () =>
  new AppError({
    code: "UNAUTHORIZED",
    reason: "credentials_invalid",
    message: "Invalid email or password",
  });

/**
 * Checks a password and starts a session. An unknown email, or a password bcrypt could not
 * read whole (over 72 bytes: comparing it would ignore the rest, so any suffix would pass),
 * still pays for one compare against a dummy hash of the same cost: the answer and its
 * timing are those of a wrong password.
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
  const readable = fitsBcrypt(input.password);
  const hash = user && readable ? user.passwordHash : await deps.passwords.dummyHash();
  const ok = (await deps.passwords.verify(input.password, hash)) && readable && user !== null;
  if (!user || !ok) {
    await writeAuditEvent(deps.db, {
      type: "login_failed",
      userId: user?.id ?? null,
      ip: meta.ip,
      data: { reason: !user ? "unknown_email" : readable ? "wrong_password" : "password_too_long" },
    });
    throw invalidCredentials();
  }
  // Only now, after the password was right: to a guesser, an unverified account looks like
  // any other (401 for a wrong password), so this answer reveals nothing to them.
  if (deps.config.requireVerifiedEmail && !user.emailVerifiedAt) {
    await writeAuditEvent(deps.db, {
      type: "login_failed",
      userId: user.id,
      ip: meta.ip,
      data: { reason: "email_unverified" },
    });
    throw new AppError({
      code: "FORBIDDEN",
      reason: "email_unverified",
      message: "Verify your email address before signing in; we can send the link again",
    });
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
  const readable = fitsBcrypt(input.currentPassword);
  const hash = readable ? user.passwordHash : await deps.passwords.dummyHash();
  if (!((await deps.passwords.verify(input.currentPassword, hash)) && readable)) {
    // FORBIDDEN, not UNAUTHORIZED: the caller is signed in; only the proof is wrong.
    throw new AppError({
      code: "FORBIDDEN",
      reason: "credentials_invalid",
      message: "Current password is incorrect",
      details: [{ path: "currentPassword", message: "incorrect" }],
    });
  }
  const passwordHash = await deps.passwords.hash(input.newPassword);
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
