import { z } from "zod";

import { defineFragment } from "../compose";
import { wholeNumber } from "../fields";

const S3_SETTINGS = ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;

/**
 * Where media bytes live (@lifeline/storage). `local`: files under MEDIA_DIR, which needs no
 * service. `s3`: any S3-compatible bucket; its bucket and keys are then required.
 */
export const storageEnv = defineFragment({
  shape: {
    STORAGE_DRIVER: z.enum(["local", "s3"], { error: "must be local or s3" }).default("local"),
    /**
     * The local driver's directory; relative paths are taken from the repository root.
     * Temps and blobs both live in it: one filesystem, so moving a blob in is an atomic rename.
     */
    MEDIA_DIR: z.string().min(1).default("media"),
    /**
     * The largest file one upload may hold (2 GiB by default); one byte more is a 413. At
     * most 5 GiB, what the s3 driver can commit with a single server-side copy.
     */
    MEDIA_MAX_BYTES: wholeNumber(1, 5 * 1024 ** 3).default(2 * 1024 ** 3),
    /** Unset: AWS S3 itself. Otherwise the server's URL (MinIO, Garage, Ceph, R2, …). */
    S3_ENDPOINT: z
      .url({ error: "must be a URL" })
      .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://")
      // Credentials belong in their own variables, which are never logged; a URL may be.
      .refine((v) => !/^https?:\/\/[^/]*@/.test(v), "must not contain credentials")
      .optional(),
    S3_REGION: z.string().min(1).max(64).default("us-east-1"),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: "must be a bucket name (3-63 lower-case letters, digits, dots, hyphens)",
      })
      .optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
  },
  rules: (env, ctx) => {
    if (env.STORAGE_DRIVER !== "s3") return;
    for (const name of S3_SETTINGS) {
      if (env[name] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "is required when STORAGE_DRIVER=s3",
        });
      }
    }
  },
});
