import { dueAccountPages, refreshLinkedAccount, SWEEP_INTERVAL_MS } from "@lifeline/core";
import { refreshAccountJob, refreshAccountJobId, refreshSweepJob } from "@lifeline/queue";

import { handle } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";
import { accountRefreshDeps } from "./account-refresh-deps";

/** A transient refresh failure: thrown so BullMQ retries the job with its backoff. */
export class RefreshRetryError extends Error {
  override name = "RefreshRetryError";
}

/** The sweep slot a job belongs to: the 6-hour window it was enqueued in. */
function sweepSlot(enqueuedAt: number): Date {
  return new Date(Math.floor(enqueuedAt / SWEEP_INTERVAL_MS) * SWEEP_INTERVAL_MS);
}

/**
 * The accounts queue: the 6-hourly sweep and one refresh job per due account,
 * JOBS_CONCURRENCY_ACCOUNTS at a time (each mostly waits on a provider's token endpoint).
 */
export function accountsWorker(concurrency: number): QueueWorkerSpec {
  return {
    queue: "accounts",
    concurrency,
    handlers: [
      // One account, under its lock (core: refreshLinkedAccount, which logs every attempt).
      // needs_reauth and misconfigured are final for this grant or this configuration:
      // the job completes; only a transient failure is retried.
      handle(refreshAccountJob, async ({ accountId }, { deps }) => {
        const result = await refreshLinkedAccount(accountRefreshDeps(deps), accountId, {
          trigger: "schedule",
        });
        if (result.outcome === "retry_later") throw new RefreshRetryError(result.error);
        return result;
      }),
      // Every due account, a page at a time; one job each, its id fixed per account and slot,
      // so a sweep run again in the same slot (a retry, a catch-up) adds nothing.
      handle(refreshSweepJob, async (_payload, { deps, job, logger, signal }) => {
        const slot = sweepSlot(job.timestamp);
        let enqueued = 0;
        for await (const page of dueAccountPages(accountRefreshDeps(deps))) {
          signal.throwIfAborted();
          await deps.jobs.enqueueMany(
            refreshAccountJob,
            page.map((account) => ({
              payload: { accountId: account.id },
              jobId: refreshAccountJobId(account.id, slot),
            })),
          );
          enqueued += page.length;
        }
        logger.info({ slot: slot.toISOString(), due: enqueued }, "token refresh sweep enqueued");
        return { slot: slot.toISOString(), due: enqueued };
      }),
    ],
  };
}
