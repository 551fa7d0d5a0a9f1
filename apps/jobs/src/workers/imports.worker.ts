import {
  createProviderLimits,
  downloadItem,
  importPage,
  refreshingAccountAccess,
  syncLinkedAccounts,
  type ImportDeps,
  type ImportJobOutcome,
} from "@lifeline/core";
import { downloadItemJob, importPageJob, syncLinkedAccountsJob } from "@lifeline/queue";
import { DelayedError, type Job } from "bullmq";

import { handle, type HandlerContext, type JobsDeps } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";
import { accountRefreshDeps } from "./account-refresh-deps";

const built = new WeakMap<JobsDeps, ImportDeps>();

/** What the import jobs need, from the jobs app's dependencies: built once per process. */
export function importDeps(deps: JobsDeps): ImportDeps {
  const existing = built.get(deps);
  if (existing) return existing;
  const imports: ImportDeps = {
    db: deps.db,
    storage: deps.storage,
    jobs: deps.jobs,
    providers: deps.providers,
    // Tokens through the refresh engine: refreshed on demand under the account's lock.
    access: refreshingAccountAccess(accountRefreshDeps(deps)),
    limits: createProviderLimits({
      redis: deps.redis,
      keyPrefix: deps.env.REDIS_KEY_PREFIX,
      perAccount: deps.env.JOBS_IMPORT_ACCOUNT_CONCURRENCY,
    }),
    timeline: deps.timeline,
    logger: deps.logger.child({ component: "imports" }),
    now: deps.now,
    maxBytes: deps.env.MEDIA_MAX_BYTES,
  };
  built.set(deps, imports);
  return imports;
}

/** Whether this is the job's last attempt (a transient failure then settles for good). */
function finalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * A deferral goes back to the delayed set without spending an attempt (BullMQ's
 * moveToDelayed with the job's own token, then DelayedError so the worker lets go of it):
 * a provider's 429 or a busy account never fails a job or uses up its retries.
 */
async function settle(
  outcome: ImportJobOutcome,
  { job, token, logger }: HandlerContext,
): Promise<ImportJobOutcome> {
  if (outcome.outcome === "done") return outcome;
  if (!token) throw new Error("a deferral needs the job's lock token");
  logger.debug({ delayMs: outcome.delayMs, why: outcome.detail }, "import job deferred");
  await job.moveToDelayed(Date.now() + outcome.delayMs, token);
  throw new DelayedError();
}

const handlers = [
  handle(importPageJob, async (payload, context) =>
    settle(
      await importPage(importDeps(context.deps), payload, { final: finalAttempt(context.job) }),
      context,
    ),
  ),
  handle(downloadItemJob, async (payload, context) =>
    settle(
      await downloadItem(importDeps(context.deps), payload, {
        final: finalAttempt(context.job),
        holder: context.job.id ?? payload.mediaItemId,
        signal: context.signal,
      }),
      context,
    ),
  ),
  handle(syncLinkedAccountsJob, async (_payload, { deps, logger }) => {
    const result = await syncLinkedAccounts({
      db: deps.db,
      jobs: deps.jobs,
      logger,
      now: deps.now,
    });
    logger.info(result, "daily sync of linked accounts started");
    return result;
  }),
];

/**
 * The imports queue: listing pages and downloads of linked accounts, JOBS_CONCURRENCY_IMPORTS
 * at a time in this process (network-bound); per account, JOBS_IMPORT_ACCOUNT_CONCURRENCY
 * downloads across every process.
 */
export function importsWorker(
  concurrency: number,
  locks?: QueueWorkerSpec["locks"],
): QueueWorkerSpec {
  return { queue: "imports", concurrency, handlers, ...(locks ? { locks } : {}) };
}
