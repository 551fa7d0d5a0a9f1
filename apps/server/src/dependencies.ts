import { createRateLimits, type ApiDeps } from "@lifeline/api";
import { createAccessTokens, loadSigningKeys } from "@lifeline/core";
import { createDb } from "@lifeline/db";
import type { ServerEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";

import type { ReadinessCheck } from "./routes/health";
import { createRedis, waitForRedis } from "./redis";

export interface ServerDependencies {
  deps: ApiDeps;
  readinessChecks: Record<string, ReadinessCheck>;
  close: () => Promise<void>;
}

/** Builds what the API shares across requests; `close` releases it on shutdown. */
export async function createDependencies(
  env: ServerEnv,
  logger: Logger,
): Promise<ServerDependencies> {
  if (!env.JWT_SIGNING_KEYS) {
    logger.warn(
      "JWT_SIGNING_KEYS is unset: using an ephemeral signing key (access tokens die with this process)",
    );
  }
  const keys = await loadSigningKeys(env.JWT_SIGNING_KEYS);
  const db = createDb(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, logger);
  await waitForRedis(redis, 2000);
  const deps: ApiDeps = {
    db,
    logger,
    accessTokens: createAccessTokens(keys, {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      ttlSeconds: env.ACCESS_TOKEN_TTL,
    }),
    rateLimits: createRateLimits(redis, {
      enabled: env.RATE_LIMIT_ENABLED,
      prefix: env.REDIS_KEY_PREFIX,
      global: { max: env.RATE_LIMIT_GLOBAL_MAX, windowSeconds: env.RATE_LIMIT_GLOBAL_WINDOW },
      credentials: { max: env.RATE_LIMIT_AUTH_MAX, windowSeconds: env.RATE_LIMIT_AUTH_WINDOW },
      refresh: { max: env.RATE_LIMIT_REFRESH_MAX, windowSeconds: env.RATE_LIMIT_REFRESH_WINDOW },
      lockout: {
        threshold: env.LOGIN_LOCKOUT_THRESHOLD,
        baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
        maxSeconds: env.LOGIN_LOCKOUT_MAX_SECONDS,
      },
    }),
    authConfig: {
      bcryptCost: env.BCRYPT_COST,
      refreshIdleTtlSeconds: env.REFRESH_IDLE_TTL,
      refreshAbsoluteTtlSeconds: env.REFRESH_ABSOLUTE_TTL,
    },
  };
  return {
    deps,
    readinessChecks: {
      postgres: () => db.$queryRaw`SELECT 1`,
      redis: () => redis.ping(),
    },
    close: async () => {
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
