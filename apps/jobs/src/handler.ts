import type { ProviderRegistry, TimelineCache, TokenCipher } from "@lifeline/core";
import type { Db } from "@lifeline/db";
import type { JobsEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import type { JobDefinition, JobPayload, JobProducer } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";

/** What every handler may use; built once by dependencies.ts. */
export interface JobsDeps {
  db: Db;
  jobs: JobProducer;
  /** Media bytes (thumbnails, blob collection, imports, backups). */
  storage: BlobStorage;
  /** The API's timeline cache, on the same Redis: invalidated when a job changes an item. */
  timeline: TimelineCache;
  /** The command connection (locks, limits, semaphores under REDIS_KEY_PREFIX). */
  redis: Redis;
  /** The provider clients (imports, token refresh), from the environment. */
  providers: ProviderRegistry;
  /** TOKEN_ENCRYPTION_KEYS: linked accounts' tokens at rest. */
  tokenCipher: TokenCipher;
  env: JobsEnv;
  logger: Logger;
  /** Server secret tokens are derived from (see TOKEN_SECRET). */
  tokenSecret: Buffer;
  now: () => Date;
}

export interface HandlerContext {
  deps: JobsDeps;
  job: Job;
  /** The worker's lock token on the job: what moving it (job.moveToDelayed) needs. */
  token: string | undefined;
  /** Aborted when the process is stopping and the job must give way (see run-workers.ts). */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Does one job. Must be idempotent: a job can run again after a crash or a retry, and the
 * second run must change nothing the first one completed.
 */
export type Handler<J extends JobDefinition = JobDefinition> = (
  payload: JobPayload<J>,
  context: HandlerContext,
) => Promise<unknown>;

/** A handler bound to its job definition, so the runner can check the payload first. */
export interface JobHandler {
  job: JobDefinition;
  handle: Handler;
}

export function handle<J extends JobDefinition>(job: J, handler: Handler<J>): JobHandler {
  return { job, handle: handler };
}
