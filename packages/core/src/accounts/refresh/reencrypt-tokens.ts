import type { Db } from "@lifeline/db";

import type { TokenCipher } from "../../crypto/token-cipher";
import { decryptAccountTokens, encryptAccountTokens } from "../account-tokens";

export interface ReencryptResult {
  /** Linked accounts holding tokens that were looked at. */
  scanned: number;
  /** Rewritten under the current key. */
  reencrypted: number;
  /** Already under the current key. */
  current: number;
  /** Changed by a refresh or an unlink while we worked: that writer used the current key. */
  raced: number;
  /** Could not be decrypted with any configured key (listed by id, never by value). */
  failed: string[];
}

/**
 * Rewrites every linked account's tokens under the current (first) key of
 * TOKEN_ENCRYPTION_KEYS, so older keys can be dropped (`pnpm tokens:reencrypt`). Pages of
 * `pageSize` rows by id; each row is its own update, made only if the row still holds the
 * ciphertexts we read, so a refresh that wrote new tokens meanwhile is never overwritten
 * with the old ones. Idempotent: a second run finds nothing to do.
 */
export async function reencryptAccountTokens(
  deps: { db: Db; cipher: TokenCipher },
  options: { pageSize?: number } = {},
): Promise<ReencryptResult> {
  const { db, cipher } = deps;
  const pageSize = options.pageSize ?? 200;
  const result: ReencryptResult = { scanned: 0, reencrypted: 0, current: 0, raced: 0, failed: [] };
  let after: string | undefined;
  for (;;) {
    const rows = await db.linkedAccount.findMany({
      where: { accessTokenEnc: { not: null }, ...(after ? { id: { gt: after } } : {}) },
      select: {
        id: true,
        accessTokenEnc: true,
        refreshTokenEnc: true,
        expiresAt: true,
        refreshExpiresAt: true,
        issuedAt: true,
        scopes: true,
      },
      orderBy: { id: "asc" },
      take: pageSize,
    });
    for (const row of rows) {
      result.scanned++;
      const stale =
        (row.accessTokenEnc !== null && cipher.needsReencryption(row.accessTokenEnc)) ||
        (row.refreshTokenEnc !== null && cipher.needsReencryption(row.refreshTokenEnc));
      if (!stale) {
        result.current++;
        continue;
      }
      let tokens;
      try {
        tokens = decryptAccountTokens(cipher, row);
      } catch {
        result.failed.push(row.id);
        continue;
      }
      if (!tokens) continue;
      const columns = encryptAccountTokens(cipher, row.id, tokens);
      const written = await db.linkedAccount.updateMany({
        where: {
          id: row.id,
          accessTokenEnc: row.accessTokenEnc,
          refreshTokenEnc: row.refreshTokenEnc,
        },
        data: { accessTokenEnc: columns.accessTokenEnc, refreshTokenEnc: columns.refreshTokenEnc },
      });
      if (written.count === 1) result.reencrypted++;
      else result.raced++;
    }
    const last = rows.at(-1);
    if (rows.length < pageSize || !last) return result;
    after = last.id;
  }
}
