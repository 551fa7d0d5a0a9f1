import type { JobsEnv } from "@lifeline/env";
import { createLogger, type Logger } from "@lifeline/logger";
import type { Schedule } from "@lifeline/queue";

import { startJobsApp, type JobsApp } from "../../src/jobs-app";
import type { QueueWorkerSpec } from "../../src/run-workers";
import { testEnv } from "./env";
import { flushLogger, readLogLines, type LogLine } from "./log-lines";

export interface TestJobsApp {
  app: JobsApp;
  env: JobsEnv;
  logger: Logger;
  /** Runs the app's shutdown steps in order, as SIGTERM would. */
  stop: () => Promise<void>;
  /** The lines logged so far (combined.log), or only the errors (error.log). */
  logLines: (file?: "combined.log" | "error.log") => Promise<LogLine[]>;
}

/**
 * The jobs app in this process, on the test run's database and a Redis prefix of its own,
 * logging to files only. No schedules and no workers unless given.
 */
export async function startTestJobsApp(
  options: {
    env?: JobsEnv;
    schedules?: readonly Schedule[];
    workers?: QueueWorkerSpec[];
    now?: () => Date;
  } = {},
): Promise<TestJobsApp> {
  const env = options.env ?? testEnv();
  const logger = createLogger({ name: "jobs", level: "info", logDir: env.LOG_DIR, console: false });
  const app = await startJobsApp({
    env,
    logger,
    schedules: options.schedules ?? [],
    workers: options.workers ?? [],
    ...(options.now ? { now: options.now } : {}),
  });
  let stopped = false;
  return {
    app,
    env,
    logger,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const step of app.shutdownSteps) await step.close();
    },
    logLines: async (file = "combined.log") => {
      await flushLogger(logger);
      return readLogLines(env.LOG_DIR, file);
    },
  };
}
