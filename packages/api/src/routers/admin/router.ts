import { writeAuditEvent, type AuditEventType } from "@lifeline/core";
import { QUEUE_NAMES, type QueueName } from "@lifeline/queue";
import type { Job } from "bullmq";

import type { Context } from "../../context";
import { withTimeout } from "../../rate-limit/with-timeout";
import { adminProcedure, router } from "../../trpc";
import { ZNoInputSchema } from "../auth/schemas";
import { listFailedJobs } from "./failed-jobs";
import { removeJob, retryFailedJob } from "./job-actions";
import { queueStatus, toJobsProcess } from "./queue-status";
import {
  ZFailedJobsRequestSchema,
  ZFailedJobsResponseSchema,
  ZJobActionResponseSchema,
  ZJobRequestSchema,
  ZQueuesResponseSchema,
} from "./schemas";

const TAGS = ["admin"];

/**
 * BullMQ waits for its connection to be ready rather than failing, so with Redis down a
 * queue call would hang: past this, the answer is 503 (RedisTimeoutError is an outage).
 * A retry or removal that Redis completes after the timeout simply happened; looking again
 * shows it.
 */
const QUEUE_TIMEOUT_MS = 3000;

const onQueues = <T>(work: Promise<T>, what: string) => withTimeout(work, QUEUE_TIMEOUT_MS, what);

const ERRORS = {
  400: "Invalid input; `details` names each field",
  401: "Missing, invalid or expired access token",
  403: "Signed in, but not an administrator",
  503: "Redis or Postgres is unavailable; retry shortly",
};
const JOB_ERRORS = {
  ...ERRORS,
  404: "No job with this id in this queue",
  409: "The job is not in a state that allows this (e.g. retrying a job that has not failed)",
};

/** Records an admin's action on a job; done after the action, so it records what happened. */
async function auditJobAction(
  ctx: Context & { auth: NonNullable<Context["auth"]> },
  type: Extract<AuditEventType, "admin_job_retried" | "admin_job_removed">,
  queue: QueueName,
  job: Job,
): Promise<void> {
  const data = { queue, jobId: job.id ?? "", jobName: job.name };
  ctx.logger.info({ ...data, adminId: ctx.auth.user.id }, type);
  await writeAuditEvent(ctx.deps.db, { type, userId: ctx.auth.user.id, ip: ctx.ip, data });
}

export const adminRouter = router({
  queues: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/queues",
        protect: true,
        errorResponses: { 401: ERRORS[401], 403: ERRORS[403], 503: ERRORS[503] },
        tags: TAGS,
        summary: "Every queue's counts and oldest waiting job, and the live jobs processes",
      },
    })
    .input(ZNoInputSchema)
    .output(ZQueuesResponseSchema)
    .query(async ({ ctx }) => {
      const now = (ctx.deps.now?.() ?? new Date()).getTime();
      const [queues, heartbeats] = await onQueues(
        Promise.all([
          Promise.all(QUEUE_NAMES.map((name) => queueStatus(ctx.deps.jobs.queue(name), name, now))),
          ctx.deps.jobsHeartbeats(),
        ]),
        "queue status",
      );
      return { queues, processes: heartbeats.map(toJobsProcess) };
    }),

  failedJobs: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/queues/{queue}/failed",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "A queue's failed jobs, newest first, with their payloads",
      },
    })
    .input(ZFailedJobsRequestSchema)
    .output(ZFailedJobsResponseSchema)
    .query(async ({ ctx, input }) => ({
      queue: input.queue,
      ...(await onQueues(
        listFailedJobs(ctx.deps.jobs.queue(input.queue), input.limit),
        "failed jobs",
      )),
    })),

  retryJob: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/queues/{queue}/jobs/{id}/retry",
        protect: true,
        errorResponses: JOB_ERRORS,
        tags: TAGS,
        summary: "Run a failed job again, with a fresh attempt budget",
      },
    })
    .input(ZJobRequestSchema)
    .output(ZJobActionResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const queue = ctx.deps.jobs.queue(input.queue);
      const job = await onQueues(retryFailedJob(queue, input.queue, input.id), "job retry");
      await auditJobAction(ctx, "admin_job_retried", input.queue, job);
      return { ok: true as const };
    }),

  removeJob: adminProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/admin/queues/{queue}/jobs/{id}",
        protect: true,
        errorResponses: JOB_ERRORS,
        tags: TAGS,
        summary: "Delete a job that is not running",
      },
    })
    .input(ZJobRequestSchema)
    .output(ZJobActionResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const queue = ctx.deps.jobs.queue(input.queue);
      const job = await onQueues(removeJob(queue, input.queue, input.id), "job removal");
      await auditJobAction(ctx, "admin_job_removed", input.queue, job);
      return { ok: true as const };
    }),
});
