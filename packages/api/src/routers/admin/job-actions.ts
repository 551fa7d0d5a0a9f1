import { AppError } from "@lifeline/core";
import type { QueueName } from "@lifeline/queue";
import { ErrorCode, type Job, type Queue } from "bullmq";

const noSuchJob = (queue: QueueName, id: string) =>
  new AppError({ code: "NOT_FOUND", message: `No job ${id} in the ${queue} queue` });

const conflict = (message: string, cause?: unknown) =>
  new AppError({ code: "CONFLICT", message, ...(cause === undefined ? {} : { cause }) });

/**
 * BullMQ's refusals when a job changed state between our check and the action (a worker
 * took it, it was removed): what they mean to the caller. Anything else is not ours to
 * interpret and is rethrown (an outage becomes 503 in the error middleware).
 */
function stateRace(error: unknown, queue: QueueName, id: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === ErrorCode.JobNotExist) return noSuchJob(queue, id);
  if (
    code === ErrorCode.JobNotInState ||
    code === ErrorCode.JobLockNotExist ||
    code === ErrorCode.JobBelongsToJobScheduler ||
    (error instanceof Error && /locked by another worker/.test(error.message))
  ) {
    return conflict(`Job ${id} changed state meanwhile; look again and retry`, error);
  }
  return error;
}

async function findJob(queue: Queue, name: QueueName, id: string): Promise<Job> {
  const job = await queue.getJob(id);
  if (!job) throw noSuchJob(name, id);
  return job;
}

/**
 * Puts a failed job back in its queue to run again, with a fresh attempt budget (it failed
 * for good, so its old budget is spent). Only failed jobs: a waiting or delayed one will
 * run anyway, an active one is running.
 */
export async function retryFailedJob(queue: Queue, name: QueueName, id: string): Promise<Job> {
  const job = await findJob(queue, name, id);
  const state = await job.getState();
  if (state !== "failed") throw conflict(`Only failed jobs can be retried; job ${id} is ${state}`);
  try {
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (error) {
    throw stateRace(error, name, id);
  }
  return job;
}

/**
 * Deletes a job in any state but active (BullMQ refuses to remove a job a worker holds):
 * e.g. a failed one not worth retrying, or a delayed one that should not run again.
 */
export async function removeJob(queue: Queue, name: QueueName, id: string): Promise<Job> {
  const job = await findJob(queue, name, id);
  if ((await job.getState()) === "active") {
    throw conflict(`Job ${id} is running; remove it once it has finished or failed`);
  }
  try {
    await job.remove();
  } catch (error) {
    throw stateRace(error, name, id);
  }
  return job;
}
