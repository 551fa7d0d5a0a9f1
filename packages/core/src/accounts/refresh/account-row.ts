import { createHash } from "node:crypto";

import type { Db } from "@lifeline/db";
import type { ProviderId } from "@lifeline/providers";

import type { DueFacts } from "./policy";

/** The columns a refresh reads. */
export const refreshRowSelect = {
  id: true,
  userId: true,
  provider: true,
  providerAccountId: true,
  handle: true,
  status: true,
  accessTokenEnc: true,
  refreshTokenEnc: true,
  expiresAt: true,
  refreshExpiresAt: true,
  issuedAt: true,
  scopes: true,
  reauthNotifiedAt: true,
  expiryWarnedAt: true,
  lastRefreshAt: true,
} as const;

export interface RefreshRow {
  id: string;
  userId: string;
  provider: ProviderId;
  providerAccountId: string;
  handle: string | null;
  status: "active" | "needs_reauth" | "revoked";
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  issuedAt: Date;
  scopes: string[];
  reauthNotifiedAt: Date | null;
  expiryWarnedAt: Date | null;
  lastRefreshAt: Date | null;
}

export function readRefreshRow(db: Db, accountId: string): Promise<RefreshRow | null> {
  return db.linkedAccount.findUnique({ where: { id: accountId }, select: refreshRowSelect });
}

export function dueFacts(row: RefreshRow): DueFacts {
  return {
    provider: row.provider,
    expiresAt: row.expiresAt,
    issuedAt: row.issuedAt,
    hasRefreshToken: row.refreshTokenEnc !== null,
    expiryWarnedAt: row.expiryWarnedAt,
    lastRefreshAt: row.lastRefreshAt,
  };
}

/**
 * A short fingerprint of the stored access token's ciphertext: it changes with every refresh
 * and every re-link, so it names one generation of the grant (email job ids are built on it,
 * so a retried job enqueues the same email, and a new lapse a new one). Not a secret: a hash
 * of a ciphertext.
 */
export function grantGeneration(row: Pick<RefreshRow, "accessTokenEnc">): string {
  return createHash("sha256")
    .update(row.accessTokenEnc ?? "")
    .digest("hex")
    .slice(0, 16);
}
