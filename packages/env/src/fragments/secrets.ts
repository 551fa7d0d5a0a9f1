import { z } from "zod";

import { defineFragment } from "../compose";

/** Shared by the API and the jobs app: both derive and decrypt tokens, so both must agree. */
export const secretsEnv = defineFragment({
  shape: {
    /**
     * Server secret (32+ characters, e.g. `openssl rand -base64 32`) from which tokens are
     * derived: rotated refresh tokens (API) and emailed links (jobs), each use
     * domain-separated. Unset outside production: an ephemeral one per process.
     */
    TOKEN_SECRET: z.string().min(32, { error: "must be at least 32 characters" }).optional(),
    /**
     * Keys for provider tokens at rest (AES-256-GCM): comma-separated `kid:base64key`, each
     * key 32 bytes, the first used for new values, all for reading (rotation). Unset outside
     * production: an ephemeral key per process (so `pnpm dev` writes one to .env).
     */
    TOKEN_ENCRYPTION_KEYS: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]{40,}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]{40,})*$/,
        {
          error: "must be comma-separated kid:base64key (e.g. `pnpm keys:generate`)",
        },
      )
      .optional(),
  },
  rules: (env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const [name, how] of [
      ["TOKEN_SECRET", "e.g. `openssl rand -base64 32`"],
      ["TOKEN_ENCRYPTION_KEYS", "generate one with `pnpm keys:generate`"],
    ] as const) {
      if (!env[name]) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `is required in production (${how})`,
        });
      }
    }
  },
});
