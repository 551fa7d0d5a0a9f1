import { z } from "zod";

import { defineJob } from "../define-job";

/**
 * One page of a linked account's listing (imports): fetches the page after the run's
 * checkpointed cursor, records its items and moves the checkpoint in one transaction, then
 * enqueues the downloads and the next page. `page` is the run's page number (0-based): it
 * makes the job id, and a page the run already checkpointed is not fetched again.
 */
export const importPageJob = defineJob({
  name: "imports.page",
  queue: "imports",
  payload: z.object({ runId: z.uuid(), page: z.int().min(0).max(10_000_000) }),
  options: { attempts: 8, backoff: { type: "exponential", delay: 5000 } },
});

/**
 * Streams one imported item's bytes from its provider into the media library (the ingest
 * path uploads take) and marks the item stored, or failed with the provider's reason.
 * A provider's 429 moves the job to delayed without spending an attempt.
 */
export const downloadItemJob = defineJob({
  name: "imports.download",
  queue: "imports",
  payload: z.object({ runId: z.uuid(), mediaItemId: z.uuid() }),
  // A priority puts downloads behind every job without one (listing pages, the sync): a
  // run's listing never waits for the thousands of downloads its first pages queued.
  options: { attempts: 6, backoff: { type: "exponential", delay: 5000 }, priority: 10 },
});

/** The daily sync (SCHEDULES): starts a new-items-only run for every active linked account. */
export const syncLinkedAccountsJob = defineJob({
  name: "imports.sync-accounts",
  queue: "imports",
  payload: z.object({}),
});

/** One job per page of a run (BullMQ ids may not contain ":"). */
export function importPageJobId(runId: string, page: number): string {
  return `imports.page.${runId}.${page}`;
}

/**
 * One download per item and run: enqueued again (a restarted page, a re-run) it is the same
 * job; a later run that retries a failed item gets a job of its own.
 */
export function downloadItemJobId(runId: string, mediaItemId: string): string {
  return `imports.download.${runId}.${mediaItemId}`;
}
