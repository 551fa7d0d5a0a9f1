import { jobsEnvSchema, loadEnvOrExit } from "@lifeline/env";
import { createProcessLogger, installCrashHandlers } from "@lifeline/process";

import { startJobsApp } from "./jobs-app";
import { stopOnSignal } from "./stop-on-signal";

const env = loadEnvOrExit(jobsEnvSchema);
const logger = createProcessLogger("jobs", env);
installCrashHandlers(logger);

const starting = startJobsApp({ env, logger });
stopOnSignal({ logger, starting, shutdownTimeoutMs: env.JOBS_SHUTDOWN_TIMEOUT_MS });
await starting;
