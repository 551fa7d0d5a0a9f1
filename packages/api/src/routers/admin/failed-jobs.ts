import { redactSecrets } from "@lifeline/logger";
import type { Job, Queue } from "bullmq";
import type { z } from "zod";

import type { ZFailedJobSchema } from "./schemas";

export type FailedJob = z.output<typeof ZFailedJobSchema>;

/** A failure's message can quote anything a handler threw; a screenful is enough to act on. */
const REASON_MAX_CHARS = 2000;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/**
 * What an admin sees of a failed job. Payloads hold ids, never secrets (define-job.ts), but
 * pass through the logger's redaction anyway: a secret put there by mistake stays hidden.
 * The stack trace stays out (it names source files); the jobs app logs it.
 */
export function toFailedJob(job: Job): FailedJob {
  const reason = job.failedReason as string | null | undefined;
  return {
    id: job.id ?? "",
    name: job.name,
    attemptsMade: job.attemptsMade,
    failedReason: reason ? reason.slice(0, REASON_MAX_CHARS) : null,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    failedAt: iso(job.finishedOn),
    payload: redactSecrets(job.data as unknown),
  };
}

/** The newest `limit` failed jobs of a queue (newest failure first) and how many there are. */
export async function listFailedJobs(
  queue: Queue,
  limit: number,
): Promise<{ total: number; jobs: FailedJob[] }> {
  const [total, jobs] = await Promise.all([queue.getFailedCount(), queue.getFailed(0, limit - 1)]);
  return { total, jobs: jobs.map(toFailedJob) };
}
