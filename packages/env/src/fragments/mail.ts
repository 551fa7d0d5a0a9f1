import { z } from "zod";

import { defineFragment } from "../compose";

/**
 * How the jobs app sends email. Unset SMTP_URL outside production: messages are written as
 * .eml files to MAIL_DIR (and the path logged), so development needs no mail server.
 */
export const mailEnv = defineFragment({
  shape: {
    SMTP_URL: z
      .url({ error: "must be a URL" })
      .refine((v) => /^smtps?:\/\//.test(v), "must start with smtp:// or smtps://")
      .optional(),
    MAIL_FROM: z.string().min(3).default("Lifeline <no-reply@lifeline.localhost>"),
    /** Relative paths are taken from the repository root. */
    MAIL_DIR: z.string().min(1).default("tmp/mail"),
  },
  rules: (env, ctx) => {
    if (env.NODE_ENV === "production" && !env.SMTP_URL) {
      ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required in production" });
    }
  },
});
