import type { Db, Prisma } from "@lifeline/db";

import type { RefreshDeps } from "./deps";
import { refreshPolicy } from "./refresh-account";

/** Accounts read per page: the sweep holds one page of ids at a time, whatever the total. */
export const DUE_PAGE_SIZE = 500;

export interface DueAccount {
  id: string;
  expiresAt: Date;
}

const SHORT_LIVED = ["x", "google", "microsoft"] as const;
const NEED_REFRESH_TOKEN = ["x", "google", "microsoft", "linkedin"] as const;

/**
 * The SQL form of dueAction (policy.ts) over active accounts: what the sweep must refresh,
 * warn about, or flag as lapsed now. Every branch bounds expires_at, so the whole query is a
 * range scan of the (status, expires_at) index up to the widest window.
 */
export function dueWhere(
  deps: Pick<RefreshDeps, "policy">,
  now: Date,
): Prisma.LinkedAccountWhereInput {
  const policy = refreshPolicy(deps);
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const horizon = Math.max(
    policy.shortLivedWindowMs,
    policy.instagramWindowMs,
    policy.linkedinWindowMs,
    policy.expiryWarningMs,
  );
  const noRefresh: Prisma.LinkedAccountWhereInput = {
    OR: [
      { provider: "facebook" },
      { provider: { in: [...NEED_REFRESH_TOKEN] }, refreshTokenEnc: null },
    ],
  };
  return {
    status: "active",
    expiresAt: { lte: at(horizon) },
    accessTokenEnc: { not: null },
    // Refreshed lately (also: earlier in this very sweep) is not due; see sweepSpacingMs.
    AND: [{ OR: [{ lastRefreshAt: null }, { lastRefreshAt: { lt: at(-policy.sweepSpacingMs) } }] }],
    OR: [
      {
        provider: { in: [...SHORT_LIVED] },
        refreshTokenEnc: { not: null },
        expiresAt: { lte: at(policy.shortLivedWindowMs) },
      },
      {
        provider: "linkedin",
        refreshTokenEnc: { not: null },
        expiresAt: { lte: at(policy.linkedinWindowMs) },
      },
      {
        provider: "instagram",
        issuedAt: { lte: at(-policy.instagramMinAgeMs) },
        expiresAt: { lte: at(policy.instagramWindowMs) },
      },
      {
        AND: [
          noRefresh,
          {
            OR: [
              { expiresAt: { lte: now } },
              { expiresAt: { lte: at(policy.expiryWarningMs) }, expiryWarnedAt: null },
            ],
          },
        ],
      },
    ],
  };
}

/**
 * The due accounts, a page at a time in (expires_at, id) order (keyset: each page starts
 * after the last one's end, so memory stays one page however many accounts are due).
 */
export async function* dueAccountPages(
  deps: Pick<RefreshDeps, "policy" | "now"> & { db: Db },
  pageSize = DUE_PAGE_SIZE,
): AsyncGenerator<DueAccount[]> {
  const now = deps.now?.() ?? new Date();
  const where = dueWhere(deps, now);
  let after: DueAccount | null = null;
  for (;;) {
    const keyset: Prisma.LinkedAccountWhereInput = after
      ? {
          OR: [
            { expiresAt: { gt: after.expiresAt } },
            { expiresAt: after.expiresAt, id: { gt: after.id } },
          ],
        }
      : {};
    const rows = await deps.db.linkedAccount.findMany({
      where: { AND: [where, keyset] },
      select: { id: true, expiresAt: true },
      orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
      take: pageSize,
    });
    const page = rows.flatMap((r) => (r.expiresAt ? [{ id: r.id, expiresAt: r.expiresAt }] : []));
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (rows.length < pageSize || !last) return;
    after = last;
  }
}
