import type { z } from "zod";

import { composeEnv } from "./compose";
import { accountsEnv } from "./fragments/accounts";
import { backupsEnv } from "./fragments/backups";
import { databaseEnv } from "./fragments/database";
import { jobsEnv } from "./fragments/jobs";
import { loggingEnv } from "./fragments/logging";
import { mailEnv } from "./fragments/mail";
import { providersEnv } from "./fragments/providers";
import { redisEnv } from "./fragments/redis";
import { runtimeEnv } from "./fragments/runtime";
import { secretsEnv } from "./fragments/secrets";
import { storageEnv } from "./fragments/storage";

/** Every variable the jobs app reads. */
export const jobsEnvSchema = composeEnv(
  runtimeEnv,
  loggingEnv,
  databaseEnv,
  redisEnv,
  secretsEnv,
  accountsEnv,
  mailEnv,
  jobsEnv,
  storageEnv,
  providersEnv,
  backupsEnv,
);

export type JobsEnv = z.output<typeof jobsEnvSchema>;
