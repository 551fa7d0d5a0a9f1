import type { LinkedAccount } from "@lifeline/db";
import type { TokenSet } from "@lifeline/providers";

import type { TokenCipher } from "../crypto/token-cipher";

/** The token columns of a linked_accounts row, as written. */
export interface AccountTokenColumns {
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  issuedAt: Date;
  scopes: string[];
}

type TokenField = "access" | "refresh";

/**
 * Each ciphertext is bound to its row and column: a value copied to another account or
 * swapped between the access and refresh columns does not decrypt.
 */
function context(accountId: string, field: TokenField): string {
  return `linked_accounts:${accountId}:${field}`;
}

/** The columns to write for `tokens` (one write, so a rotated refresh token never lags). */
export function encryptAccountTokens(
  cipher: TokenCipher,
  accountId: string,
  tokens: TokenSet,
): AccountTokenColumns {
  return {
    accessTokenEnc: cipher.encrypt(tokens.accessToken, context(accountId, "access")),
    refreshTokenEnc: tokens.refreshToken
      ? cipher.encrypt(tokens.refreshToken, context(accountId, "refresh"))
      : null,
    expiresAt: tokens.expiresAt,
    refreshExpiresAt: tokens.refreshExpiresAt ?? null,
    issuedAt: tokens.issuedAt,
    scopes: tokens.scopes,
  };
}

type StoredTokens = Pick<
  LinkedAccount,
  | "id"
  | "accessTokenEnc"
  | "refreshTokenEnc"
  | "expiresAt"
  | "refreshExpiresAt"
  | "issuedAt"
  | "scopes"
>;

/**
 * The account's tokens in the clear, or null when it has none (unlinked). Throws
 * TokenDecryptionError when a value cannot be read (unknown key id, tampered).
 */
export function decryptAccountTokens(cipher: TokenCipher, row: StoredTokens): TokenSet | null {
  if (row.accessTokenEnc === null) return null;
  const tokens: TokenSet = {
    accessToken: cipher.decrypt(row.accessTokenEnc, context(row.id, "access")),
    expiresAt: row.expiresAt,
    scopes: row.scopes,
    issuedAt: row.issuedAt,
  };
  if (row.refreshTokenEnc !== null) {
    tokens.refreshToken = cipher.decrypt(row.refreshTokenEnc, context(row.id, "refresh"));
  }
  if (row.refreshExpiresAt) tokens.refreshExpiresAt = row.refreshExpiresAt;
  return tokens;
}
