import { z } from "zod";

import { defineFragment } from "../compose";
import { wholeNumber } from "../fields";

const BACKUP_S3_SETTINGS = [
  "BACKUP_S3_BUCKET",
  "BACKUP_S3_ACCESS_KEY_ID",
  "BACKUP_S3_SECRET_ACCESS_KEY",
] as const;

/**
 * How fresh backups must be for /readyz to say "ready" (the API reads only these). The
 * database is dumped daily and media weekly, so the defaults leave a couple of hours of slack.
 */
export const backupFreshnessEnv = defineFragment({
  shape: {
    BACKUP_MAX_AGE_HOURS: wholeNumber(1, 24 * 366).default(26),
    BACKUP_MEDIA_MAX_AGE_HOURS: wholeNumber(1, 24 * 366).default(7 * 24 + 2),
  },
});

/**
 * Backups (the jobs app and `pnpm backup:*`): where they go (a directory, or an S3-compatible
 * bucket of their own, never the media bucket), how many are kept, which PostgreSQL client
 * tools take and restore dumps, and who hears about a failure.
 */
export const backupsEnv = defineFragment({
  shape: {
    ...backupFreshnessEnv.shape,
    BACKUP_DRIVER: z.enum(["local", "s3"], { error: "must be local or s3" }).default("local"),
    /** The local driver's directory; relative paths are taken from the repository root. */
    BACKUP_DIR: z.string().min(1).default("backups"),
    BACKUP_S3_ENDPOINT: z
      .url({ error: "must be a URL" })
      .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://")
      .refine((v) => !/^https?:\/\/[^/]*@/.test(v), "must not contain credentials")
      .optional(),
    BACKUP_S3_REGION: z.string().min(1).max(64).default("us-east-1"),
    BACKUP_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: "must be a bucket name (3-63 lower-case letters, digits, dots, hyphens)",
      })
      .optional(),
    BACKUP_S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
    BACKUP_S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
    /** Retention: the newest backup of each of this many days, ISO weeks and months. */
    BACKUP_KEEP_DAILY: wholeNumber(0, 366).default(7),
    BACKUP_KEEP_WEEKLY: wholeNumber(0, 520).default(4),
    BACKUP_KEEP_MONTHLY: wholeNumber(0, 1200).default(6),
    /** Unset: `pg_dump` / `pg_restore` from PATH. Their major version must be at least the server's. */
    PG_DUMP_PATH: z.string().min(1).optional(),
    PG_RESTORE_PATH: z.string().min(1).optional(),
    /** Where failed backups, verifications and restore drills are reported (unset: logged only). */
    ALERT_EMAIL: z.email({ error: "must be an email address" }).optional(),
  },
  rules: (env, ctx) => {
    if (env.BACKUP_DRIVER !== "s3") return;
    for (const name of BACKUP_S3_SETTINGS) {
      if (env[name] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "is required when BACKUP_DRIVER=s3",
        });
      }
    }
  },
});
