import { z } from "zod";

/** Reusable field parsers: env values are strings, these turn them into typed config. */

export const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const port = z.coerce.number().int().min(0).max(65535);

export const positiveInt = z.coerce.number().int().positive();

/** Comma-separated list; blanks dropped. */
export const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

export const postgresUrl = z
  .url({ error: "must be a URL" })
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must start with postgresql://");

export const redisUrl = z
  .url({ error: "must be a URL" })
  .refine((v) => /^rediss?:\/\//.test(v), "must start with redis:// or rediss://");
