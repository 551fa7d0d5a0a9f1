import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";

import { DEFAULT_JOB_OPTIONS, type JobDefinition } from "./define-job";
import { bullPrefix } from "./keys";
import type { QueueName } from "./queue-names";

/** A payload that does not satisfy its job's schema: a bug in the caller, refused before Redis. */
export class JobPayloadError extends Error {
  override name = "JobPayloadError";
  constructor(
    readonly job: string,
    readonly issues: string[],
  ) {
    super(`Payload of ${job} is invalid: ${issues.join("; ")}`);
  }
}

/**
 * Enqueueing on a fail-fast connection while Redis is not connected. Its message is the one
 * ioredis gives any command on such a connection, so callers treat both as the same outage.
 */
export class RedisNotReadyError extends Error {
  override name = "RedisNotReadyError";
  constructor() {
    super("Stream isn't writeable and enableOfflineQueue options is false");
  }
}

export interface EnqueueOptions {
  /**
   * Makes the job idempotent to enqueue: BullMQ keeps one job per id (while it is retained,
   * see DEFAULT_JOB_OPTIONS), so adding the same id twice runs it once. No ":" allowed.
   */
  jobId?: string;
  /** Milliseconds to wait before the job may run. */
  delay?: number;
}

export interface JobProducer {
  /** Checks the payload against the job's schema, then adds the job; resolves to its id. */
  enqueue<J extends JobDefinition>(
    job: J,
    payload: z.input<J["payload"]>,
    options?: EnqueueOptions,
  ): Promise<string>;
  /**
   * Many jobs of one kind in one round trip (a sweep's page): each payload checked first,
   * each with its own job id (same idempotence as `enqueue`); resolves to their ids.
   */
  enqueueMany<J extends JobDefinition>(
    job: J,
    entries: { payload: z.input<J["payload"]>; jobId: string }[],
  ): Promise<string[]>;
  /** The BullMQ queue of that name (for counts and admin actions). */
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Checks a payload against its job's schema; the parsed payload, or JobPayloadError. */
export function parsePayload<J extends JobDefinition>(
  job: J,
  payload: unknown,
): z.output<J["payload"]> {
  const parsed = job.payload.safeParse(payload);
  if (parsed.success) return parsed.data as z.output<J["payload"]>;
  throw new JobPayloadError(
    job.name,
    parsed.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`),
  );
}

/**
 * Enqueues jobs for any process: the API (which only ever enqueues) and the jobs app (its
 * schedules, and jobs that start other jobs). One BullMQ Queue per queue name, made on first
 * use, all on the given connection; keys under REDIS_KEY_PREFIX.
 */
export function createJobProducer(options: {
  connection: Redis;
  redisKeyPrefix: string;
}): JobProducer {
  const { connection } = options;
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName): Queue => {
    let found = queues.get(name);
    if (!found) {
      found = new Queue(name, {
        connection,
        prefix: bullPrefix(options.redisKeyPrefix),
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      // The connection's own listener (createRedis) logs an outage once; without one here,
      // BullMQ would print every reconnection failure to stderr, outside the logs.
      found.on("error", () => undefined);
      queues.set(name, found);
    }
    return found;
  };
  // BullMQ holds every command until the connection is first ready, however long that takes.
  // On a fail-fast connection (the API's) the caller must get an error at once instead.
  const failsFast = connection.options.enableOfflineQueue === false;

  return {
    queue,
    async enqueue(job, payload, enqueueOptions = {}) {
      const data = parsePayload(job, payload);
      if (failsFast && connection.status !== "ready") throw new RedisNotReadyError();
      const added = await queue(job.queue).add(job.name, data, {
        ...job.options,
        ...(enqueueOptions.jobId ? { jobId: enqueueOptions.jobId } : {}),
        ...(enqueueOptions.delay ? { delay: enqueueOptions.delay } : {}),
      });
      return added.id ?? "";
    },
    async enqueueMany(job, entries) {
      const jobs = entries.map((entry) => ({
        name: job.name,
        data: parsePayload(job, entry.payload),
        opts: { ...job.options, jobId: entry.jobId },
      }));
      if (jobs.length === 0) return [];
      if (failsFast && connection.status !== "ready") throw new RedisNotReadyError();
      const added = await queue(job.queue).addBulk(jobs);
      return added.map((a) => a.id ?? "");
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
