import { z } from "zod";

import { defineFragment } from "../compose";

/** Shared by the API and the jobs app: both derive tokens from it, so both must agree. */
export const secretsEnv = defineFragment({
  shape: {
    /**
     * Server secret (32+ characters, e.g. `openssl rand -base64 32`) from which tokens are
     * derived: rotated refresh tokens (API) and emailed links (jobs), each use
     * domain-separated. Unset outside production: an ephemeral one per process.
     */
    TOKEN_SECRET: z.string().min(32, { error: "must be at least 32 characters" }).optional(),
  },
  rules: (env, ctx) => {
    if (env.NODE_ENV === "production" && !env.TOKEN_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TOKEN_SECRET"],
        message: "is required in production (e.g. `openssl rand -base64 32`)",
      });
    }
  },
});
