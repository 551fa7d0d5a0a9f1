import type { JobsOptions } from "bullmq";
import type { z } from "zod";

import type { QueueName } from "./queue-names";

/**
 * A kind of job: a stable dotted name, the queue it runs on, the schema of its payload
 * (checked when it is enqueued and again when a worker takes it) and its options. Payloads
 * carry ids, never secrets: they sit in Redis and are logged when a job fails.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  payload: S;
  options?: JobsOptions;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export type JobPayload<J extends JobDefinition> = z.output<J["payload"]>;

/**
 * Options every job gets unless its definition says otherwise: retried with exponential
 * backoff (2 s, 4 s, 8 s, …), completed jobs kept a day (so a job id used again within it is
 * recognised and not run twice), failed ones kept 30 days for inspection.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};
