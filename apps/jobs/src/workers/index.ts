import type { JobsEnv } from "@lifeline/env";

import type { QueueWorkerSpec } from "../run-workers";
import { accountsWorker } from "./accounts.worker";
import { backupsWorker } from "./backups.worker";
import { emailWorker } from "./email.worker";
import { importsWorker } from "./imports.worker";
import { maintenanceWorker } from "./maintenance.worker";
import { mediaWorker } from "./media.worker";

/** Every queue this app works on, with its concurrency from the environment. */
export function queueWorkers(env: JobsEnv): QueueWorkerSpec[] {
  return [
    emailWorker(env.JOBS_CONCURRENCY_EMAIL),
    maintenanceWorker(env.JOBS_CONCURRENCY_MAINTENANCE),
    mediaWorker(env.JOBS_CONCURRENCY_MEDIA),
    accountsWorker(env.JOBS_CONCURRENCY_ACCOUNTS),
    backupsWorker(),
    importsWorker(env.JOBS_CONCURRENCY_IMPORTS),
  ];
}
