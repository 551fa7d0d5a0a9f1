import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  createAccessTokens,
  createAccountLocks,
  createOAuthStateStore,
  createPasswordHasher,
  createTimelineCache,
  createTokenCipher,
  generateCipherKey,
  loadSigningKeys,
  parseCipherKeys,
  providersFromEnv,
} from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { silentLogger } from "@lifeline/logger";
import { createJobProducer, readHeartbeats } from "@lifeline/queue";
import { createLocalBlobStorage } from "@lifeline/storage";
import { TRPCError } from "@trpc/server";
import { Redis } from "ioredis";
import { expect, inject } from "vitest";

import {
  appRouter,
  createCallerFactory,
  createContext,
  createRateLimits,
  type ApiDeps,
  type RateLimitsConfig,
} from "../src/index";

const createCaller = createCallerFactory(appRouter);

export interface CallerRequest {
  ip?: string;
  /** Receives the response headers a procedure sets (pass a vi.fn() to inspect them). */
  setHeader?: (name: string, value: string) => void;
}

export interface Harness {
  db: Db;
  deps: ApiDeps;
  redis: Redis;
  /** This harness's own Redis key prefix (the run's prefix plus a random part). */
  redisKeyPrefix: string;
  /** A caller as an anonymous client, or signed in with `accessToken`. */
  caller: (
    accessToken?: string,
    request?: CallerRequest,
  ) => Promise<ReturnType<typeof createCaller>>;
  /** Moves the clock the API sees. */
  setNow: (date: Date | null) => void;
  /** Disconnects the database and Redis; call it in afterAll. */
  close: () => Promise<void>;
}

type RateLimitOverrides = Partial<Omit<RateLimitsConfig, "prefix">>;

export interface HarnessOptions {
  /** Replaces parts of the default, deliberately generous, limits. */
  rateLimits?: RateLimitOverrides;
  /** bcrypt cost (default 4, so suites stay fast). */
  bcryptCost?: number;
  /** REFRESH_REUSE_GRACE_SECONDS (default 30, as in production). */
  refreshReuseGraceSeconds?: number;
  /** Use this Redis client (e.g. one that cannot connect) instead of the run's Redis. */
  redis?: Redis;
  /** REQUIRE_VERIFIED_EMAIL (default false, as in development). */
  requireVerifiedEmail?: boolean;
}

/** High enough that tests not about limits are never throttled. */
const GENEROUS_LIMITS: Omit<RateLimitsConfig, "prefix"> = {
  enabled: true,
  global: { max: 10_000, windowSeconds: 900 },
  credentials: { max: 10_000, windowSeconds: 900 },
  refresh: { max: 10_000, windowSeconds: 900 },
  lockout: {
    threshold: 1_000,
    baseSeconds: 60,
    maxSeconds: 3600,
    accountMaxFailures: 100_000,
    accountWindowSeconds: 3600,
  },
};

async function connectRedis(): Promise<Redis> {
  // As the server creates it: fail fast rather than queue commands while disconnected.
  const redis = new Redis(inject("redisUrl"), {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  await redis.connect();
  return redis;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = createDb(inject("databaseUrl"));
  const redis = options.redis ?? (await connectRedis());
  const redisKeyPrefix = `${inject("redisKeyPrefix")}${randomBytes(4).toString("hex")}:`;
  let now: Date | null = null;
  const clock = () => now ?? new Date();
  const jobs = createJobProducer({ connection: redis, redisKeyPrefix });
  const passwords = createPasswordHasher({ cost: options.bcryptCost ?? 4, workers: 1 });
  const deps: ApiDeps = {
    db,
    logger: silentLogger(),
    passwords,
    jobs,
    storage: createLocalBlobStorage(
      mkdtempSync(path.join(tmpdir(), "lifeline-media-")),
      silentLogger(),
    ),
    timeline: createTimelineCache({ redis, keyPrefix: redisKeyPrefix, logger: silentLogger() }),
    jobsHeartbeats: () => readHeartbeats(redis, redisKeyPrefix),
    rateLimits: createRateLimits(redis, {
      ...GENEROUS_LIMITS,
      ...options.rateLimits,
      prefix: redisKeyPrefix,
    }),
    accessTokens: createAccessTokens(
      await loadSigningKeys(undefined),
      { issuer: "lifeline-test", audience: "lifeline-test-api", ttlSeconds: 900 },
      clock,
    ),
    mediaConfig: { maxUploadBytes: 2 * 1024 ** 3 },
    // No provider credentials: every provider is unavailable (linking is tested in apps/server).
    providers: providersFromEnv(
      {
        OAUTH_REDIRECT_BASE_URL: "http://localhost:3000/api/accounts",
        PROVIDER_TIMEOUT_MS: 5000,
        META_GRAPH_VERSION: "v25.0",
        MICROSOFT_TENANT: "common",
        LINKEDIN_API_VERSION: "202506",
        LINKEDIN_MEMBER_POSTS: false,
      },
      silentLogger(),
    ),
    tokenCipher: createTokenCipher(parseCipherKeys(generateCipherKey("test"))),
    accountLocks: createAccountLocks({ redis, keyPrefix: redisKeyPrefix, ttlMs: 20_000 }),
    linking: {
      states: createOAuthStateStore({ redis, keyPrefix: redisKeyPrefix }),
      frontendUrl: "http://localhost:5173",
      clientRedirectOrigins: ["http://localhost:5173"],
    },
    authConfig: {
      refreshIdleTtlSeconds: 14 * 86400,
      refreshAbsoluteTtlSeconds: 30 * 86400,
      refreshReuseGraceSeconds: options.refreshReuseGraceSeconds ?? 30,
      tokenSecret: randomBytes(32),
      requireVerifiedEmail: options.requireVerifiedEmail ?? false,
    },
    now: clock,
  };
  return {
    db,
    deps,
    redis,
    redisKeyPrefix,
    setNow: (date) => {
      now = date;
    },
    caller: async (accessToken, request = {}) =>
      createCaller(
        await createContext(deps, {
          requestId: randomUUID(),
          ip: request.ip ?? "203.0.113.7",
          userAgent: "vitest",
          authorization: accessToken ? `Bearer ${accessToken}` : null,
          ...(request.setHeader ? { setHeader: request.setHeader } : {}),
        }),
      ),
    close: async () => {
      await jobs.close();
      redis.disconnect();
      await Promise.all([db.$disconnect(), passwords.close()]);
    },
  };
}

/** Files share one Redis prefix per run: a random group per file keeps their limits apart. */
const IP_GROUP = randomInt(0, 0x10000).toString(16);
let ipCounter = 0;
/** A documentation-range address (RFC 3849) no other caller in this run has used. */
export const uniqueIp = () => `2001:db8:${IP_GROUP}:${(++ipCounter).toString(16)}::1`;

export const uniqueEmail = (label = "user") => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** Awaits a call that must fail and returns its TRPCError. */
export async function expectTRPCError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}
