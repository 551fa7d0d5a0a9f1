import { isProviderError, type Provider, type TokenSet } from "@lifeline/providers";

import { TokenDecryptionError } from "../../crypto/token-cipher";
import { decryptAccountTokens, encryptAccountTokens } from "../account-tokens";
import { dueFacts, readRefreshRow, type RefreshRow } from "./account-row";
import type { RefreshDeps, RefreshTrigger } from "./deps";
import { flagNeedsReauth, warnExpiry } from "./notify-owner";
import { cannotRefresh, DEFAULT_REFRESH_POLICY, dueAction, type RefreshPolicy } from "./policy";

/** What one refresh attempt came to. Never holds a token. */
export type RefreshOutcome =
  /** New tokens are stored. */
  | { outcome: "refreshed"; expiresAt: Date | null }
  /** Another caller held the account's lock and refreshed it meanwhile: read the row again. */
  | { outcome: "refreshed_elsewhere" }
  /** Nothing to do now: the sweep's rule (or, on demand, the margin) says it is not due. */
  | { outcome: "not_due" }
  /** This provider cannot refresh this grant now (Facebook; Instagram under 24 h old). */
  | { outcome: "not_refreshable"; reason: string }
  /** No refresh possible: the owner was warned that the link lapses soon. */
  | { outcome: "expiry_warned" }
  /** The grant is revoked or expired: the account is needs_reauth and the owner emailed. */
  | { outcome: "needs_reauth"; error: string }
  /** A transient failure (429, 5xx, network, the lock still held): try again later. */
  | { outcome: "retry_later"; error: string; retryAfterMs?: number }
  /** Our configuration is wrong (client secret, missing key): operations must act. */
  | { outcome: "misconfigured"; error: string }
  /** Not an active linked account (unknown id, unlinked, already needs_reauth). */
  | { outcome: "inactive"; status: string };

export interface RefreshOptions {
  trigger: RefreshTrigger;
  /**
   * On demand only: refresh whatever the stored expiry says (the provider just refused the
   * access token). Without it, on demand refreshes only within the margin of the end.
   */
  force?: boolean;
}

export function refreshPolicy(deps: Pick<RefreshDeps, "policy">): RefreshPolicy {
  return { ...DEFAULT_REFRESH_POLICY, ...deps.policy };
}

const errorText = (code: string, message: string) => `${code}: ${message}`.slice(0, 500);

/**
 * Refreshes one linked account's tokens, under its lock (see account-lock.ts): reads the
 * row, decrypts, calls the provider, and stores the new pair in one write before anything
 * uses it (a rotated refresh token replaces the old one in that same write, so a crash can
 * never leave the account on a spent token). A second caller arriving meanwhile waits for
 * the first and reads its result instead of calling the provider again.
 *
 * The sweep (`schedule`) refreshes only what its rule says is due; `manual` refreshes
 * whenever the provider can; `on_demand` only when the token is within the margin of its end.
 * Provider failures come back as outcomes; other failures (database, Redis) throw.
 * Every attempt is logged with provider, account and outcome, never a token.
 */
export async function refreshLinkedAccount(
  deps: RefreshDeps,
  accountId: string,
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  const started = Date.now();
  let provider: string | undefined;
  const locked = await deps.locks.withLock(accountId, async () => {
    const row = await readRefreshRow(deps.db, accountId);
    provider = row?.provider;
    return row
      ? refreshRow(deps, row, options)
      : ({ outcome: "inactive", status: "unknown" } as const);
  });
  const result: RefreshOutcome =
    locked.kind === "held"
      ? locked.value
      : locked.kind === "waited"
        ? { outcome: "refreshed_elsewhere" }
        : {
            outcome: "retry_later",
            error: "retry_later: another refresh of this account is still running",
          };
  logAttempt(deps, {
    accountId,
    provider,
    trigger: options.trigger,
    result,
    ms: Date.now() - started,
  });
  return result;
}

function logAttempt(
  deps: RefreshDeps,
  attempt: {
    accountId: string;
    provider: string | undefined;
    trigger: RefreshTrigger;
    result: RefreshOutcome;
    ms: number;
  },
): void {
  const { result } = attempt;
  const fields = {
    linkedAccountId: attempt.accountId,
    provider: attempt.provider,
    trigger: attempt.trigger,
    outcome: result.outcome,
    durationMs: attempt.ms,
    ...("error" in result ? { error: result.error } : {}),
  };
  if (result.outcome === "misconfigured") deps.logger.error(fields, "token refresh");
  else if (result.outcome === "retry_later" || result.outcome === "needs_reauth")
    deps.logger.warn(fields, "token refresh");
  else deps.logger.info(fields, "token refresh");
}

async function refreshRow(
  deps: RefreshDeps,
  row: RefreshRow,
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  const { trigger } = options;
  const now = deps.now?.() ?? new Date();
  const policy = refreshPolicy(deps);
  if (row.status !== "active" || row.accessTokenEnc === null) {
    return { outcome: "inactive", status: row.accessTokenEnc === null ? "unlinked" : row.status };
  }
  const facts = dueFacts(row);
  const action = dueAction(facts, now, policy);

  if (cannotRefresh(facts)) {
    if (action === "lapsed") {
      const error = `needs_relink: the ${row.provider} link expired (it cannot be refreshed)`;
      await flagNeedsReauth(deps, row, { error, trigger }, now);
      return { outcome: "needs_reauth", error };
    }
    if (action === "warn_expiry") {
      await warnExpiry(deps, row, now);
      return { outcome: "expiry_warned" };
    }
    return {
      outcome: "not_refreshable",
      reason: `${row.provider} links cannot be refreshed; link the account again before it expires`,
    };
  }
  if (trigger === "schedule" && action !== "refresh") return { outcome: "not_due" };
  if (
    trigger === "on_demand" &&
    !options.force &&
    !expiresWithin(row.expiresAt, now, policy.onDemandMarginMs)
  ) {
    // Refreshed by someone else between the caller's read and this lock.
    return { outcome: "not_due" };
  }

  let client: Provider;
  let tokens: TokenSet | null;
  try {
    client = deps.providers.get(row.provider);
    tokens = decryptAccountTokens(deps.cipher, row);
  } catch (error) {
    return recordFailure(deps, row, trigger, error, now);
  }
  if (tokens === null) return { outcome: "inactive", status: "unlinked" };
  if (!client.refresh) {
    return { outcome: "not_refreshable", reason: `${row.provider} has no token refresh` };
  }
  if (!client.canRefresh(tokens, now)) {
    if (tokens.expiresAt !== null && tokens.expiresAt <= now) {
      // Instagram: a long-lived token that reached its end without a refresh is dead.
      const error = `needs_relink: the ${row.provider} token expired before it could be refreshed`;
      await flagNeedsReauth(deps, row, { error, trigger }, now);
      return { outcome: "needs_reauth", error };
    }
    return {
      outcome: "not_refreshable",
      reason: `${row.provider} cannot refresh this token yet (Instagram: only once it is 24 hours old)`,
    };
  }

  let next: TokenSet;
  try {
    next = await client.refresh(tokens);
  } catch (error) {
    return recordFailure(deps, row, trigger, error, now);
  }
  const written = await deps.db.linkedAccount.updateMany({
    // Only over the tokens we refreshed: an unlink or re-link meanwhile wins.
    where: { id: row.id, status: "active", accessTokenEnc: row.accessTokenEnc },
    data: {
      ...encryptAccountTokens(deps.cipher, row.id, next),
      lastRefreshAt: now,
      lastRefreshError: null,
    },
  });
  if (written.count === 0) return { outcome: "inactive", status: "changed" };
  return { outcome: "refreshed", expiresAt: next.expiresAt };
}

function expiresWithin(expiresAt: Date | null, now: Date, marginMs: number): boolean {
  return expiresAt !== null && expiresAt.getTime() - now.getTime() <= marginMs;
}

/** A failed attempt: classify it, and record what the account's owner and operators need. */
async function recordFailure(
  deps: RefreshDeps,
  row: RefreshRow,
  trigger: RefreshTrigger,
  error: unknown,
  now: Date,
): Promise<RefreshOutcome> {
  if (error instanceof TokenDecryptionError) {
    // A key missing from TOKEN_ENCRYPTION_KEYS: ours to fix, not the owner's.
    const text = errorText(
      "misconfigured",
      "the stored token cannot be decrypted with the configured keys",
    );
    await noteError(deps, row, text);
    return { outcome: "misconfigured", error: text };
  }
  if (!isProviderError(error)) throw error;
  const text = errorText(error.code, error.message);
  switch (error.code) {
    case "needs_relink":
      await flagNeedsReauth(
        deps,
        row,
        { error: text, providerCode: error.providerCode, trigger },
        now,
      );
      return { outcome: "needs_reauth", error: text };
    case "retry_later":
      await noteError(deps, row, text);
      return {
        outcome: "retry_later",
        error: text,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      };
    case "misconfigured":
      await noteError(deps, row, text);
      return { outcome: "misconfigured", error: text };
  }
}

/** Only lastRefreshError changes: the tokens and the status stay as they were. */
async function noteError(deps: RefreshDeps, row: RefreshRow, text: string): Promise<void> {
  await deps.db.linkedAccount.updateMany({
    where: { id: row.id, accessTokenEnc: row.accessTokenEnc },
    data: { lastRefreshError: text },
  });
}
