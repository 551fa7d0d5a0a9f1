import { z } from "zod";

import { defineJob } from "../define-job";

/**
 * Refreshes one linked account's tokens (accounts/refresh in core: under the account's lock,
 * the new pair stored in one write). A transient provider failure (429, 5xx, network) throws
 * and is retried with backoff: 1, 2, 4, 8, 16 minutes, well inside the 6-hour sweep.
 */
export const refreshAccountJob = defineJob({
  name: "accounts.refresh",
  queue: "accounts",
  payload: z.object({ accountId: z.uuid() }),
  options: { attempts: 6, backoff: { type: "exponential", delay: 60_000 } },
});

/**
 * Every 6 hours (SCHEDULES): finds the linked accounts due for a refresh (or, where no
 * refresh exists, an expiry warning) a page at a time, and enqueues one refreshAccountJob
 * each under refreshAccountJobId, so a sweep run twice in a slot enqueues nothing new.
 */
export const refreshSweepJob = defineJob({
  name: "accounts.refresh-sweep",
  queue: "accounts",
  payload: z.object({}),
});

/** One refresh per account and sweep slot (BullMQ ids may not contain ":"). */
export function refreshAccountJobId(accountId: string, slot: Date): string {
  return `accounts.refresh.${accountId}.${slot.getTime()}`;
}
