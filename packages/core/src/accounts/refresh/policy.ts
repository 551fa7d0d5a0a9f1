import type { ProviderId } from "@lifeline/providers";

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** How often the sweep runs (the schedule row in packages/queue/src/schedules.ts). */
export const SWEEP_INTERVAL_MS = 6 * HOUR_MS;

/**
 * When each provider's tokens are refreshed. Every window covers a whole sweep interval plus
 * a margin, so a token that expires before the next sweep is refreshed by this one.
 */
export interface RefreshPolicy {
  /**
   * X (2 h), Google (1 h), Microsoft (60-90 min): the access token is always near its end at
   * a sweep, so every sweep refreshes, which keeps the refresh grant alive and finds revoked
   * grants early; imports refresh on demand in between (ensureFreshAccess).
   */
  shortLivedWindowMs: number;
  /** Instagram: refresh once the token is 24 h old and within this of its 60-day end. */
  instagramWindowMs: number;
  /** Instagram refuses to refresh a token younger than this. */
  instagramMinAgeMs: number;
  /** LinkedIn partners (60-day access token, refresh token): refresh within this of the end. */
  linkedinWindowMs: number;
  /**
   * No way to refresh (Facebook; LinkedIn without partner approval): warn the owner once,
   * this long before the link lapses.
   */
  expiryWarningMs: number;
  /** ensureFreshAccess refreshes first when the token has less than this left. */
  onDemandMarginMs: number;
  /**
   * The sweep leaves alone an account refreshed this recently (on demand, by its owner, or
   * earlier in the same sweep: a refreshed token moves later in the sweep's order and would
   * otherwise be found, and refreshed, again).
   */
  sweepSpacingMs: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  shortLivedWindowMs: SWEEP_INTERVAL_MS + HOUR_MS,
  instagramWindowMs: 30 * DAY_MS,
  instagramMinAgeMs: DAY_MS,
  linkedinWindowMs: 7 * DAY_MS,
  expiryWarningMs: 7 * DAY_MS,
  onDemandMarginMs: 5 * 60 * 1000,
  sweepSpacingMs: HOUR_MS,
};

/** What a sweep does with an active account. */
export type DueAction = "refresh" | "warn_expiry" | "lapsed" | "none";

/** The row fields the rules read. */
export interface DueFacts {
  provider: ProviderId;
  expiresAt: Date | null;
  issuedAt: Date;
  /** Whether a refresh token is stored. */
  hasRefreshToken: boolean;
  expiryWarnedAt: Date | null;
  lastRefreshAt: Date | null;
}

/** Providers whose links can only be renewed by linking again (no refresh of any kind). */
export function cannotRefresh(facts: Pick<DueFacts, "provider" | "hasRefreshToken">): boolean {
  if (facts.provider === "facebook") return true;
  // Instagram renews the access token itself; the others need a refresh token.
  return facts.provider !== "instagram" && !facts.hasRefreshToken;
}

/**
 * The rule the due query (due-accounts.ts) applies in SQL, for one account: the unit tests
 * pin it, and the query is tested against it.
 */
export function dueAction(facts: DueFacts, now: Date, policy = DEFAULT_REFRESH_POLICY): DueAction {
  const action = refreshRule(facts, now, policy);
  const recent =
    facts.lastRefreshAt !== null &&
    now.getTime() - facts.lastRefreshAt.getTime() < policy.sweepSpacingMs;
  return action === "refresh" && recent ? "none" : action;
}

function refreshRule(facts: DueFacts, now: Date, policy: RefreshPolicy): DueAction {
  const { expiresAt } = facts;
  if (expiresAt === null) return "none";
  const left = expiresAt.getTime() - now.getTime();
  if (cannotRefresh(facts)) {
    if (left <= 0) return "lapsed";
    return left <= policy.expiryWarningMs && facts.expiryWarnedAt === null ? "warn_expiry" : "none";
  }
  switch (facts.provider) {
    case "instagram": {
      // An expired token cannot be refreshed: the refresh attempt flags it for re-linking.
      const age = now.getTime() - facts.issuedAt.getTime();
      return age >= policy.instagramMinAgeMs && left <= policy.instagramWindowMs
        ? "refresh"
        : "none";
    }
    case "linkedin":
      return left <= policy.linkedinWindowMs ? "refresh" : "none";
    default:
      return left <= policy.shortLivedWindowMs ? "refresh" : "none";
  }
}
