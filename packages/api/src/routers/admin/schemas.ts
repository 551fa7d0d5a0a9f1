import { QUEUE_NAMES } from "@lifeline/queue";
import { z } from "zod";

/** Inputs and outputs of the admin procedures; the OpenAPI document is built from these. */

export const ZQueueNameSchema = z
  .enum(QUEUE_NAMES, { error: `must be one of: ${QUEUE_NAMES.join(", ")}` })
  .meta({ examples: ["email"] });

/**
 * A BullMQ job id: a counter ("42") or one we chose ("email-<uuid>", a schedule slot's
 * "schedule.purge-expired.1767236100000"). Only characters a URL path carries unencoded:
 * the REST bridge hands path parameters over still percent-encoded.
 */
export const ZJobIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(200, { error: "must be at most 200 characters" })
  .regex(/^[A-Za-z0-9._~-]+$/, { error: "may hold only letters, digits and . _ ~ -" })
  .meta({ examples: ["42"] });

export const FAILED_JOBS_DEFAULT_LIMIT = 20;
export const FAILED_JOBS_MAX_LIMIT = 100;

export const ZFailedJobsRequestSchema = z.object({
  queue: ZQueueNameSchema,
  // Explicit coercion: over REST it arrives as a query string (docs/openapi-bridge.md).
  limit: z.coerce
    .number<number>({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(FAILED_JOBS_MAX_LIMIT, { error: `must be at most ${FAILED_JOBS_MAX_LIMIT}` })
    .default(FAILED_JOBS_DEFAULT_LIMIT)
    .meta({ description: "How many, newest failure first" }),
});

export const ZJobRequestSchema = z.object({ queue: ZQueueNameSchema, id: ZJobIdSchema });

const ZCount = z.number().int().min(0);

export const ZQueueStatusSchema = z
  .object({
    name: ZQueueNameSchema,
    /** BullMQ 6 pauses a queue with a flag; its jobs stay counted as waiting. */
    paused: z.boolean().meta({ description: "Paused: its waiting jobs are not taken" }),
    counts: z.object({
      waiting: ZCount,
      active: ZCount,
      delayed: ZCount.meta({ description: "Scheduled for later, including retries in backoff" }),
      prioritized: ZCount,
      failed: ZCount.meta({ description: "Failed for good (kept 30 days)" }),
      completed: ZCount.meta({ description: "Kept a day" }),
    }),
    oldestWaitingSeconds: z.number().int().min(0).nullable().meta({
      description:
        "Seconds the oldest waiting job has been runnable (since it was enqueued, its delay ended, or its last backoff ended); null when none waits",
    }),
  })
  .meta({ id: "QueueStatus" });

export const ZJobsProcessSchema = z.object({
  instance: z.string().meta({ description: "host-pid of the jobs process" }),
  queues: z.array(z.string()),
  lastBeatAt: z.string().meta({ description: "When it last reported (every 10 s)" }),
});

export const ZQueuesResponseSchema = z.object({
  queues: z.array(ZQueueStatusSchema),
  processes: z.array(ZJobsProcessSchema).meta({ description: "Live jobs processes" }),
});

export const ZFailedJobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    attemptsMade: ZCount,
    failedReason: z.string().nullable(),
    createdAt: z.string(),
    processedAt: z.string().nullable().meta({ description: "Start of the last attempt" }),
    failedAt: z.string().nullable(),
    payload: z.unknown().meta({ description: "The job's data: ids, never secrets" }),
  })
  .meta({ id: "FailedJob" });

export const ZFailedJobsResponseSchema = z.object({
  queue: ZQueueNameSchema,
  total: ZCount.meta({ description: "Failed jobs in the queue, of which `jobs` are the newest" }),
  jobs: z.array(ZFailedJobSchema),
});

export const ZJobActionResponseSchema = z.object({ ok: z.literal(true) });
