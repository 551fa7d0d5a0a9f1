import { AppError } from "../errors/app-error";
import { clock, type AuthDeps } from "./deps";
import { publicUserSelect, toPublicUser, type PublicUser, type UserRole } from "./public-user";

export interface Authenticated {
  /**
   * The public user plus its role, read with the session so an admin check costs no extra
   * query and a revoked role takes effect at the next request. The role is for checks only:
   * responses are built from PublicUser's schema, which does not carry it.
   */
  user: PublicUser & { role: UserRole };
  sessionId: string;
}

/**
 * Resolves a bearer access token to its user. Besides the JWT checks, the session must still
 * be live, so logout, logoutAll and revocation take effect at once rather than in 15 minutes.
 * One indexed query: session by primary key joined to its user.
 */
export async function authenticate(
  deps: Pick<AuthDeps, "db" | "accessTokens" | "now">,
  token: string,
): Promise<Authenticated> {
  const { userId, sessionId } = await deps.accessTokens.verify(token);
  const session = await deps.db.session.findUnique({
    where: { id: sessionId },
    // One SQL statement with a JOIN; Prisma's default would send two queries.
    relationLoadStrategy: "join",
    select: {
      userId: true,
      revokedAt: true,
      expiresAt: true,
      user: { select: { ...publicUserSelect, role: true } },
    },
  });
  if (
    !session ||
    session.userId !== userId ||
    session.revokedAt ||
    session.expiresAt <= clock(deps)
  ) {
    throw new AppError({
      code: "UNAUTHORIZED",
      reason: "session_ended",
      message: "Session has ended",
    });
  }
  return { user: { ...toPublicUser(session.user), role: session.user.role }, sessionId };
}
