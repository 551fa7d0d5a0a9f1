import { randomBytes } from "node:crypto";

import { createTimelineCache, providersFromEnv, tokenCipherFromEnv } from "@lifeline/core";
import { createDb } from "@lifeline/db";
import type { JobsEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import { createJobProducer, createRedis, waitForRedis } from "@lifeline/queue";
import { createBlobStorage } from "@lifeline/storage";
import type { Redis } from "ioredis";

import type { JobsDeps } from "./handler";

export interface JobsDependencies {
  deps: JobsDeps;
  /** Commands: enqueueing, heartbeats, the scheduler's records. */
  redis: Redis;
  /** The workers' blocking connection (BullMQ duplicates it per worker). */
  workerRedis: Redis;
  close: () => Promise<void>;
}

export async function createJobsDependencies(
  env: JobsEnv,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<JobsDependencies> {
  if (!env.TOKEN_SECRET) {
    logger.warn(
      "TOKEN_SECRET is unset: using an ephemeral secret (a retried email job after a restart sends a new link)",
    );
  }
  const db = createDb(env.DATABASE_URL, { maxConnections: env.JOBS_DATABASE_POOL });
  const redis = createRedis(env.REDIS_URL, logger, "client");
  const workerRedis = createRedis(env.REDIS_URL, logger, "worker");
  await waitForRedis(redis, 2000);
  const jobs = createJobProducer({ connection: redis, redisKeyPrefix: env.REDIS_KEY_PREFIX });
  const deps: JobsDeps = {
    db,
    jobs,
    storage: createBlobStorage(env, logger),
    timeline: createTimelineCache({ redis, keyPrefix: env.REDIS_KEY_PREFIX, logger }),
    redis,
    providers: providersFromEnv(env, logger),
    tokenCipher: tokenCipherFromEnv(env, logger),
    env,
    logger,
    tokenSecret: env.TOKEN_SECRET ? Buffer.from(env.TOKEN_SECRET) : randomBytes(32),
    now,
  };
  return {
    deps,
    redis,
    workerRedis,
    close: async () => {
      await jobs.close();
      redis.disconnect();
      workerRedis.disconnect();
      await db.$disconnect();
    },
  };
}
