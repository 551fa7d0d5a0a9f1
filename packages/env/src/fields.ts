import { z } from "zod";

/** Reusable field parsers: env values are strings, these turn them into typed config. */

export const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/**
 * A whole number from `min` to `max`, with a message that says so ("PORT: must be a whole
 * number from 0 to 65535"), not zod's "expected number, received NaN".
 */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? `must be a whole number of at least ${min}`
      : `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { error: expected })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: expected }).max(max, { error: expected }));
}

export const port = wholeNumber(0, 65535);

export const positiveInt = wholeNumber(1);

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
