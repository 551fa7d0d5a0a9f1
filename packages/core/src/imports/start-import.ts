import { isUniqueViolation, type Db, type ImportTrigger } from "@lifeline/db";
import { importPageJob, importPageJobId, type JobProducer } from "@lifeline/queue";

import { AppError } from "../errors/app-error";
import { importRunInclude, toImportRunView, type ImportRunView } from "./import-run-view";

export interface StartImportDeps {
  db: Db;
  jobs: Pick<JobProducer, "enqueue" | "queue">;
  now?: () => Date;
}

export interface StartedImport {
  run: ImportRunView;
  /** False when the account already had a run going: `run` is that one. */
  started: boolean;
}

const accountNotFound = () =>
  new AppError({ code: "NOT_FOUND", message: "No such linked account" });

/**
 * Starts an import of one of the user's linked accounts and answers at once: the work is
 * the jobs app's (imports.page, then a download per item). One run at a time per account
 * (import_runs.active_for is unique): a second start returns the running one. Another user's
 * account is NOT_FOUND, exactly like an id that never existed; an account whose grant lapsed
 * is CONFLICT with reason needs_relink.
 */
export async function startImport(
  deps: StartImportDeps,
  userId: string,
  linkedAccountId: string,
  trigger: ImportTrigger = "manual",
): Promise<StartedImport> {
  const now = deps.now?.() ?? new Date();
  const account = await deps.db.linkedAccount.findFirst({
    where: { id: linkedAccountId, userId },
    select: { id: true, status: true, provider: true, accessTokenEnc: true },
  });
  if (!account) throw accountNotFound();
  if (account.status !== "active" || account.accessTokenEnc === null) {
    throw new AppError({
      code: "CONFLICT",
      reason: "needs_relink",
      message: `This ${account.provider} account must be linked again before it can be imported`,
    });
  }

  const running = await activeRun(deps.db, linkedAccountId);
  if (running) {
    if (!running.listingDone) await revivePage(deps, running.id, running.pagesDone);
    return { run: toImportRunView(running, now), started: false };
  }

  let created;
  try {
    created = await deps.db.importRun.create({
      data: { userId, linkedAccountId, activeFor: linkedAccountId, trigger },
      include: importRunInclude,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another start won the race for this account: that run is the answer.
    const winner = await activeRun(deps.db, linkedAccountId);
    if (!winner) throw error;
    return { run: toImportRunView(winner, now), started: false };
  }

  try {
    await enqueuePage(deps, created.id, 0);
  } catch (error) {
    // Without its first job the run would block the account forever: end it, then report.
    await deps.db.importRun.update({
      where: { id: created.id },
      data: {
        status: "failed",
        activeFor: null,
        finishedAt: now,
        error: "retry_later: the import could not be queued",
      },
    });
    throw error;
  }
  return { run: toImportRunView(created, now), started: true };
}

function activeRun(db: Db, linkedAccountId: string) {
  return db.importRun.findUnique({
    where: { activeFor: linkedAccountId },
    include: importRunInclude,
  });
}

/**
 * The running run's next page job, made sure of: lost (Redis was down when it should have
 * been added) it is added; failed for good (its retries spent on an outage) it runs again.
 * Either way the account is not left blocked by a run nothing works on.
 */
async function revivePage(deps: StartImportDeps, runId: string, page: number): Promise<void> {
  const job = await deps.jobs.queue("imports").getJob(importPageJobId(runId, page));
  if (!job) await enqueuePage(deps, runId, page);
  else if (await job.isFailed()) await job.retry();
}

export async function enqueuePage(
  deps: { jobs: Pick<JobProducer, "enqueue"> },
  runId: string,
  page: number,
): Promise<void> {
  await deps.jobs.enqueue(importPageJob, { runId, page }, { jobId: importPageJobId(runId, page) });
}
