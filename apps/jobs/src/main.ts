import { jobsEnvSchema, loadEnvOrExit } from "@lifeline/env";
import {
  createProcessLogger,
  installCrashHandlers,
  installGracefulShutdown,
} from "@lifeline/process";

import { startJobsApp } from "./jobs-app";

const env = loadEnvOrExit(jobsEnvSchema);
const logger = createProcessLogger("jobs", env);
installCrashHandlers(logger);

const app = await startJobsApp({ env, logger });

// Running jobs get JOBS_SHUTDOWN_TIMEOUT_MS, then a few seconds to give way; the rest is quick.
installGracefulShutdown({
  logger,
  timeoutMs: env.JOBS_SHUTDOWN_TIMEOUT_MS + 15_000,
  steps: app.shutdownSteps,
});
