import { z } from "zod";

import { booleanFlag, csv, port, positiveInt, postgresUrl, redisUrl } from "./fields";

const DAY = 24 * 60 * 60;

/**
 * Every variable the API server reads. Defaults are for development on this machine, so
 * `pnpm dev` works with `.env.example` as is; production must set the secrets (see refine).
 */
export const serverEnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: port.default(3000),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    LOG_DIR: z.string().min(1).default("logs"),

    DATABASE_URL: postgresUrl.default("postgresql://postgres@127.0.0.1:5432/lifeline"),
    REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
    /** Prefix for every Redis key this deployment writes; lets tests and tenants share a server. */
    REDIS_KEY_PREFIX: z.string().max(64).default("lifeline:"),

    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    JWT_ISSUER: z.string().min(1).default("lifeline"),
    JWT_AUDIENCE: z.string().min(1).default("lifeline-api"),
    /**
     * JSON array of Ed25519 private JWKs, each with a `kid`. The first signs new tokens; all
     * are published at /.well-known/jwks.json and accepted, so a key can be rotated out once
     * the tokens it signed have expired. Unset outside production: an ephemeral key is made.
     */
    JWT_SIGNING_KEYS: z.string().optional(),
    ACCESS_TOKEN_TTL: positiveInt.max(DAY).default(15 * 60),
    REFRESH_IDLE_TTL: positiveInt.default(14 * DAY),
    REFRESH_ABSOLUTE_TTL: positiveInt.default(30 * DAY),

    CORS_ORIGINS: csv.default(["http://localhost:5173"]),
    TRUST_PROXY: booleanFlag.default(false),
    BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),

    RATE_LIMIT_ENABLED: booleanFlag.default(true),
    RATE_LIMIT_GLOBAL_MAX: positiveInt.default(100),
    RATE_LIMIT_GLOBAL_WINDOW: positiveInt.default(15 * 60),
    RATE_LIMIT_AUTH_MAX: positiveInt.default(5),
    RATE_LIMIT_AUTH_WINDOW: positiveInt.default(15 * 60),
    RATE_LIMIT_REFRESH_MAX: positiveInt.default(60),
    RATE_LIMIT_REFRESH_WINDOW: positiveInt.default(15 * 60),
    LOGIN_LOCKOUT_THRESHOLD: positiveInt.default(5),
    LOGIN_LOCKOUT_BASE_SECONDS: positiveInt.default(60),
    LOGIN_LOCKOUT_MAX_SECONDS: positiveInt.default(60 * 60),
  })
  .superRefine(
    (env, ctx) => {
      if (env.NODE_ENV === "production" && !env.JWT_SIGNING_KEYS) {
        ctx.addIssue({
          code: "custom",
          path: ["JWT_SIGNING_KEYS"],
          message: "is required in production (generate one with `pnpm keys:generate`)",
        });
      }
      const idle: unknown = env.REFRESH_IDLE_TTL;
      const absolute: unknown = env.REFRESH_ABSOLUTE_TTL;
      if (typeof idle === "number" && typeof absolute === "number" && idle > absolute) {
        ctx.addIssue({
          code: "custom",
          path: ["REFRESH_IDLE_TTL"],
          message: "must not exceed REFRESH_ABSOLUTE_TTL",
        });
      }
      // Runs even when other variables failed, so one start-up names every problem. Values of
      // failed fields are still raw here, hence the type checks above.
    },
    { when: () => true },
  );

export type ServerEnv = z.output<typeof serverEnvSchema>;
