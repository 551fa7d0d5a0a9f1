import type { AuthDeps } from "./deps";
import type { PublicUser } from "./public-user";

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: PublicUser;
}

export async function issueTokenPair(
  deps: Pick<AuthDeps, "accessTokens">,
  user: PublicUser,
  sessionId: string,
  refreshToken: string,
): Promise<TokenPair> {
  const { token, expiresIn } = await deps.accessTokens.sign({ userId: user.id, sessionId });
  return { accessToken: token, refreshToken, expiresIn, user };
}
