import type { z } from "zod";

import { composeEnv } from "./compose";
import { accountsEnv } from "./fragments/accounts";
import { authEnv } from "./fragments/auth";
import { backupFreshnessEnv } from "./fragments/backups";
import { databaseEnv } from "./fragments/database";
import { httpEnv } from "./fragments/http";
import { loggingEnv } from "./fragments/logging";
import { rateLimitEnv } from "./fragments/rate-limits";
import { providersEnv } from "./fragments/providers";
import { redisEnv } from "./fragments/redis";
import { runtimeEnv } from "./fragments/runtime";
import { secretsEnv } from "./fragments/secrets";
import { storageEnv } from "./fragments/storage";

/**
 * Every variable the API server reads. Defaults are for development on this machine, so
 * `pnpm dev` works with no .env at all; production must set the secrets (see authEnv).
 */
export const serverEnvSchema = composeEnv(
  runtimeEnv,
  loggingEnv,
  databaseEnv,
  redisEnv,
  httpEnv,
  authEnv,
  secretsEnv,
  accountsEnv,
  rateLimitEnv,
  storageEnv,
  providersEnv,
  backupFreshnessEnv,
);

export type ServerEnv = z.output<typeof serverEnvSchema>;
