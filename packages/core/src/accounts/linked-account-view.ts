import type { LinkedAccount, LinkedAccountStatus } from "@lifeline/db";
import type { ProviderId } from "@lifeline/providers";

/** A linked account as its owner sees it: never a token, encrypted or not. */
export interface LinkedAccountView {
  id: string;
  provider: ProviderId;
  /** The provider's id for the account (stable; some exceed 2^53, so a string). */
  providerAccountId: string;
  handle: string | null;
  displayName: string | null;
  status: LinkedAccountStatus;
  /** When the access token stops working; null when it does not expire. */
  expiresAt: Date | null;
  scopes: string[];
  lastRefreshAt: Date | null;
  lastRefreshError: string | null;
  lastSyncedAt: Date | null;
  linkedAt: Date;
  updatedAt: Date;
}

/** The only columns a view reads: the token columns are not even selected. */
export const linkedAccountViewSelect = {
  id: true,
  provider: true,
  providerAccountId: true,
  handle: true,
  displayName: true,
  status: true,
  expiresAt: true,
  scopes: true,
  lastRefreshAt: true,
  lastRefreshError: true,
  lastSyncedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type LinkedAccountViewRow = Pick<LinkedAccount, keyof typeof linkedAccountViewSelect>;

export function toLinkedAccountView(row: LinkedAccountViewRow): LinkedAccountView {
  return {
    id: row.id,
    provider: row.provider,
    providerAccountId: row.providerAccountId,
    handle: row.handle,
    displayName: row.displayName,
    status: row.status,
    expiresAt: row.expiresAt,
    scopes: row.scopes,
    lastRefreshAt: row.lastRefreshAt,
    lastRefreshError: row.lastRefreshError,
    lastSyncedAt: row.lastSyncedAt,
    linkedAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
