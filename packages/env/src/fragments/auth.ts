import { z } from "zod";

import { defineFragment } from "../compose";
import { positiveInt, wholeNumber } from "../fields";

const DAY = 24 * 60 * 60;

export const authEnv = defineFragment({
  shape: {
    BCRYPT_COST: wholeNumber(4, 15).default(12),
    /** Worker threads for bcrypt; unset: one less than the cores (at least one). */
    PASSWORD_HASH_WORKERS: wholeNumber(1, 64).optional(),
    /** Password checks allowed to wait for a worker; beyond it, 503 + Retry-After at once. */
    PASSWORD_HASH_QUEUE_MAX: wholeNumber(1, 100_000).default(64),
    JWT_ISSUER: z.string().min(1).default("lifeline"),
    JWT_AUDIENCE: z.string().min(1).default("lifeline-api"),
    /**
     * JSON array of Ed25519 private JWKs, each with a `kid`. The first signs new tokens; all
     * are published at /.well-known/jwks.json and accepted, so a key can be rotated out once
     * the tokens it signed have expired. Unset outside production: an ephemeral key is made.
     */
    JWT_SIGNING_KEYS: z.string().optional(),
    ACCESS_TOKEN_TTL: positiveInt.pipe(z.number().max(DAY)).default(15 * 60),
    REFRESH_IDLE_TTL: positiveInt.default(14 * DAY),
    REFRESH_ABSOLUTE_TTL: positiveInt.default(30 * DAY),
    /** A refresh token presented again this soon after its rotation is a retry; 0: off. */
    REFRESH_REUSE_GRACE_SECONDS: wholeNumber(0, 300).default(30),
  },
  rules: (env, ctx) => {
    if (env.NODE_ENV === "production") {
      if (!env.JWT_SIGNING_KEYS) {
        ctx.addIssue({
          code: "custom",
          path: ["JWT_SIGNING_KEYS"],
          message: "is required in production (generate one with `pnpm keys:generate`)",
        });
      }
    }
    const idle = env.REFRESH_IDLE_TTL;
    const absolute = env.REFRESH_ABSOLUTE_TTL;
    if (typeof idle === "number" && typeof absolute === "number" && idle > absolute) {
      ctx.addIssue({
        code: "custom",
        path: ["REFRESH_IDLE_TTL"],
        message: "must not exceed REFRESH_ABSOLUTE_TTL",
      });
    }
  },
});
