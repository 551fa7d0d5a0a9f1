import { hostname } from "node:os";

import type { JobsEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import type { ShutdownStep } from "@lifeline/process";
import { SCHEDULES, startHeartbeat, type Schedule } from "@lifeline/queue";

import { createJobsDependencies, type JobsDependencies } from "./dependencies";
import { startWorkers, type QueueWorkerSpec } from "./run-workers";
import { startScheduler } from "./scheduler";
import { queueWorkers } from "./workers";

export interface JobsApp {
  dependencies: JobsDependencies;
  /** In order: stop firing, stop taking jobs (running ones drain), stop beating, release. */
  shutdownSteps: ShutdownStep[];
}

export interface JobsAppOptions {
  env: JobsEnv;
  logger: Logger;
  /** The schedule table (default: every schedule of the system). */
  schedules?: readonly Schedule[];
  /** The queues and handlers (default: every queue, concurrency from the environment). */
  workers?: QueueWorkerSpec[];
  /** The handlers' clock (default: the system's); tests pass a fixed one. */
  now?: () => Date;
}

/** The jobs process: workers on every queue, the schedules, and a heartbeat for /readyz. */
export async function startJobsApp(options: JobsAppOptions): Promise<JobsApp> {
  const { env, logger } = options;
  const dependencies = await createJobsDependencies(env, logger, options.now);
  const { deps, redis, workerRedis } = dependencies;
  const specs = options.workers ?? queueWorkers(env);

  const workers = startWorkers({
    deps,
    connection: workerRedis,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    specs,
  });
  const scheduler = startScheduler({
    schedules: options.schedules ?? SCHEDULES,
    jobs: deps.jobs,
    redis,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    logger,
  });
  const caughtUp = await scheduler.catchUp().catch((error: unknown) => {
    logger.error({ err: error }, "could not check for missed schedule slots");
    return [];
  });
  const heartbeat = startHeartbeat({
    redis,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    instance: `${hostname()}-${process.pid}`,
    queues: specs.map((s) => s.queue),
    onError: (error) => logger.warn({ err: error }, "heartbeat not written"),
  });
  logger.info(
    { queues: specs.map((s) => `${s.queue}×${s.concurrency}`), caughtUp },
    "jobs app started",
  );

  return {
    dependencies,
    shutdownSteps: [
      { name: "scheduler", close: async () => scheduler.stop() },
      { name: "workers", close: () => workers.stop(env.JOBS_SHUTDOWN_TIMEOUT_MS) },
      { name: "heartbeat", close: () => heartbeat.stop() },
      { name: "connections", close: dependencies.close },
    ],
  };
}
