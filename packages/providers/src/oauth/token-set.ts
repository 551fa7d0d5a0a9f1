import type { TokenSet } from "../provider";

export interface TokenSetInput {
  accessToken: string;
  refreshToken?: string | undefined;
  /** Seconds, as the provider sent it. */
  expiresIn?: number | undefined;
  /** Used when the response carries no expires_in (the provider's documented lifetime). */
  defaultExpiresIn?: number | null;
  refreshExpiresIn?: number | undefined;
  scopes: string[];
  now: Date;
}

/** A TokenSet from a token response, with lifetimes turned into instants. */
export function tokenSetFrom(input: TokenSetInput): TokenSet {
  const at = (seconds: number) => new Date(input.now.getTime() + seconds * 1000);
  const expiresIn = input.expiresIn ?? input.defaultExpiresIn ?? null;
  const tokens: TokenSet = {
    accessToken: input.accessToken,
    // 0 means "never" in Meta's token metadata.
    expiresAt: expiresIn === null || expiresIn === 0 ? null : at(expiresIn),
    scopes: input.scopes,
    issuedAt: input.now,
  };
  if (input.refreshToken) tokens.refreshToken = input.refreshToken;
  if (input.refreshExpiresIn !== undefined && input.refreshExpiresIn > 0) {
    tokens.refreshExpiresAt = at(input.refreshExpiresIn);
  }
  return tokens;
}

export function isExpired(tokens: TokenSet, now: Date): boolean {
  return tokens.expiresAt !== null && tokens.expiresAt.getTime() <= now.getTime();
}
