import { randomUUID } from "node:crypto";

import {
  createTokenCipher,
  encryptAccountTokens,
  generateCipherKey,
  parseCipherKeys,
  type TokenCipher,
} from "@lifeline/core";
import type { Db } from "@lifeline/db";
import {
  defaultProvidersConfig,
  standinCredentials,
  type ProviderId,
  type ProvidersConfig,
  type TokenSet,
} from "@lifeline/providers";
import type { BaseEmulator } from "@lifeline/providers/testing";

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** One key for the whole file: the rows are written and read with the same cipher. */
export const TEST_TOKEN_KEYS = generateCipherKey("test-1");
export const testCipher = (keys = TEST_TOKEN_KEYS): TokenCipher =>
  createTokenCipher(parseCipherKeys(keys));

/** Every provider configured with the credentials the emulators accept, at the real hosts. */
export function emulatedProvidersConfig(): ProvidersConfig {
  const config = defaultProvidersConfig();
  config.timeoutMs = 5_000;
  for (const id of ["instagram", "x", "facebook", "google", "microsoft", "linkedin"] as const) {
    config[id].credentials = standinCredentials(id);
  }
  return config;
}

/** The env variables that make providersFromEnv build that same configuration. */
export function emulatedProvidersEnv(): Record<string, string> {
  const vars: Record<string, string> = { TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS };
  for (const [id, prefix] of [
    ["instagram", "INSTAGRAM"],
    ["x", "X"],
    ["facebook", "FACEBOOK"],
    ["google", "GOOGLE"],
    ["microsoft", "MICROSOFT"],
    ["linkedin", "LINKEDIN"],
  ] as const) {
    const credentials = standinCredentials(id);
    vars[`${prefix}_CLIENT_ID`] = credentials.clientId;
    vars[`${prefix}_CLIENT_SECRET`] = credentials.clientSecret;
  }
  return vars;
}

export interface SeedOptions {
  /** Milliseconds from now to the access token's end (negative: already expired). */
  expiresInMs?: number;
  /** How long ago the tokens were issued (Instagram refreshes only after 24 h). */
  ageMs?: number;
  /** Store no refresh token (LinkedIn without partner approval). */
  noRefreshToken?: boolean;
  status?: "active" | "needs_reauth" | "revoked";
  userId?: string;
}

/** The lifetime the provider really gives, when a test does not choose one. */
const NATURAL_TTL: Record<ProviderId, number> = {
  instagram: 60 * DAY,
  x: 2 * HOUR,
  facebook: 60 * DAY,
  google: HOUR,
  microsoft: 77 * 60_000,
  linkedin: 60 * DAY,
};

export async function seedUser(db: Db): Promise<string> {
  const user = await db.user.create({
    data: { email: `refresh-${randomUUID().slice(0, 8)}@example.com`, passwordHash: "x" },
  });
  return user.id;
}

/**
 * A linked account as the link flow leaves it: tokens the emulator really issued (so the
 * emulator honours the refresh), encrypted into a linked_accounts row.
 */
export async function seedLinkedAccount(
  db: Db,
  cipher: TokenCipher,
  emulator: BaseEmulator,
  options: SeedOptions = {},
): Promise<{ id: string; userId: string; tokens: TokenSet }> {
  const provider = emulator.provider;
  const ageMs = options.ageMs ?? 0;
  const ttl =
    options.expiresInMs !== undefined ? options.expiresInMs + ageMs : NATURAL_TTL[provider];
  const grant = emulator.grant();
  const access = emulator.oauth.issueAccess(
    grant,
    ttl,
    provider === "instagram" || provider === "facebook" ? "long" : "access",
  );
  access.issuedAt -= ageMs;
  if (access.expiresAt !== null) access.expiresAt -= ageMs;
  const withRefresh =
    !options.noRefreshToken && provider !== "instagram" && provider !== "facebook";
  const refresh = withRefresh ? emulator.oauth.issueRefresh(grant, 180 * DAY) : undefined;
  const tokens: TokenSet = {
    accessToken: access.token,
    expiresAt: access.expiresAt === null ? null : new Date(access.expiresAt),
    scopes: grant.scopes,
    issuedAt: new Date(access.issuedAt),
    ...(refresh ? { refreshToken: refresh.token } : {}),
  };
  const id = randomUUID();
  const userId = options.userId ?? (await seedUser(db));
  await db.linkedAccount.create({
    data: {
      id,
      userId,
      provider,
      providerAccountId: `${provider}-${randomUUID()}`,
      handle: `@${provider}-tester`,
      status: options.status ?? "active",
      ...encryptAccountTokens(cipher, id, tokens),
    },
  });
  return { id, userId, tokens };
}

/** Requests the emulator saw at its token or refresh endpoint. */
export function tokenCalls(emulator: BaseEmulator): number {
  return emulator.requests.filter((r) => /\/(token|accessToken|refresh_access_token)$/.test(r.path))
    .length;
}
