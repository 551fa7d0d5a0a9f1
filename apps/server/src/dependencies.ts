import { randomBytes } from "node:crypto";

import { createRateLimits, type ApiDeps } from "@lifeline/api";
import {
  createAccessTokens,
  createAccountLocks,
  createOAuthStateStore,
  createPasswordHasher,
  createTimelineCache,
  loadSigningKeys,
  providersFromEnv,
  tokenCipherFromEnv,
} from "@lifeline/core";
import { createDb } from "@lifeline/db";
import type { ServerEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import {
  createJobProducer,
  createRedis,
  QUEUE_NAMES,
  readHeartbeats,
  waitForRedis,
} from "@lifeline/queue";
import { createBlobStorage } from "@lifeline/storage";

import { backupsCheck } from "./readiness/backups-check";
import { jobsCheck } from "./readiness/jobs-check";
import { redisCheck } from "./readiness/redis-check";
import type { ReadinessCheck } from "./routes/health";

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
  if (!env.TOKEN_SECRET) {
    logger.warn(
      "TOKEN_SECRET is unset: using an ephemeral secret (a refresh retried across a restart ends its session)",
    );
  }
  const keys = await loadSigningKeys(env.JWT_SIGNING_KEYS);
  const passwords = createPasswordHasher({
    cost: env.BCRYPT_COST,
    ...(env.PASSWORD_HASH_WORKERS ? { workers: env.PASSWORD_HASH_WORKERS } : {}),
    maxQueue: env.PASSWORD_HASH_QUEUE_MAX,
  });
  const db = createDb(env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, logger);
  await waitForRedis(redis, 2000);
  // Enqueueing shares the API's fail-fast connection: with Redis down it errors at once (503).
  const jobs = createJobProducer({ connection: redis, redisKeyPrefix: env.REDIS_KEY_PREFIX });
  const jobsHeartbeats = () => readHeartbeats(redis, env.REDIS_KEY_PREFIX);
  const deps: ApiDeps = {
    db,
    logger,
    passwords,
    jobs,
    storage: createBlobStorage(env, logger),
    timeline: createTimelineCache({ redis, keyPrefix: env.REDIS_KEY_PREFIX, logger }),
    jobsHeartbeats,
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
      budgets: {
        media: { max: env.RATE_LIMIT_MEDIA_MAX, windowSeconds: env.RATE_LIMIT_MEDIA_WINDOW },
        linkCallback: {
          max: env.RATE_LIMIT_LINK_CALLBACK_MAX,
          windowSeconds: env.RATE_LIMIT_LINK_CALLBACK_WINDOW,
        },
      },
      lockout: {
        threshold: env.LOGIN_LOCKOUT_THRESHOLD,
        baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
        maxSeconds: env.LOGIN_LOCKOUT_MAX_SECONDS,
        accountMaxFailures: env.LOGIN_ACCOUNT_FAILURE_MAX,
        accountWindowSeconds: env.LOGIN_ACCOUNT_FAILURE_WINDOW,
      },
    }),
    mediaConfig: { maxUploadBytes: env.MEDIA_MAX_BYTES },
    providers: providersFromEnv(env, logger),
    tokenCipher: tokenCipherFromEnv(env, logger),
    accountLocks: createAccountLocks({
      redis,
      keyPrefix: env.REDIS_KEY_PREFIX,
      // As the jobs app's: outlives the provider call's timeout and the write.
      ttlMs: env.PROVIDER_TIMEOUT_MS * 2 + 10_000,
      // A request waits this long for a refresh already running (the sweep's), then 503.
      waitMs: 10_000,
    }),
    linking: {
      states: createOAuthStateStore({ redis, keyPrefix: env.REDIS_KEY_PREFIX }),
      frontendUrl: env.FRONTEND_URL,
      // A client finishing with completeLink may use a redirect URI on the frontend's origin
      // or one CORS already trusts; the provider checks it against the app's registration too.
      clientRedirectOrigins: [env.FRONTEND_URL, ...env.CORS_ORIGINS],
    },
    authConfig: {
      refreshIdleTtlSeconds: env.REFRESH_IDLE_TTL,
      refreshAbsoluteTtlSeconds: env.REFRESH_ABSOLUTE_TTL,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      tokenSecret: env.TOKEN_SECRET ? Buffer.from(env.TOKEN_SECRET) : randomBytes(32),
      requireVerifiedEmail: env.REQUIRE_VERIFIED_EMAIL,
    },
  };
  return {
    deps,
    readinessChecks: {
      postgres: async () => {
        await db.$queryRaw`SELECT 1`;
      },
      redis: redisCheck(redis),
      jobs: jobsCheck(jobsHeartbeats, QUEUE_NAMES),
      backups: backupsCheck(db, {
        database: env.BACKUP_MAX_AGE_HOURS,
        media: env.BACKUP_MEDIA_MAX_AGE_HOURS,
      }),
    },
    close: async () => {
      await jobs.close();
      redis.disconnect();
      await Promise.all([db.$disconnect(), passwords.close()]);
    },
  };
}
