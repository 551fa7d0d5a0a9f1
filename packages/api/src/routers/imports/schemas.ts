import { PROVIDER_IDS } from "@lifeline/core";
import { z } from "zod";

/**
 * Inputs and outputs of the import procedures; the OpenAPI document is built from these.
 * Inputs arrive as path segments or query strings over REST, so numbers are coerced.
 */

const ZUuid = z.uuid({ error: "must be a UUID" });

export const ZImportRunIdSchema = ZUuid.meta({
  examples: ["0b8f7c3e-2d4a-4f6b-9c1e-8a7d5e3f2b10"],
});

export const ZStartImportRequestSchema = z.object({
  id: ZUuid.meta({
    description: "The linked account to import",
    examples: ["7c9e6679-7425-40de-944b-e07fc1f90ae7"],
  }),
});

export const ZGetImportRequestSchema = z.object({ id: ZImportRunIdSchema });

export const IMPORTS_LIST_DEFAULT_LIMIT = 20;
export const IMPORTS_LIST_MAX_LIMIT = 50;

export const ZListImportsRequestSchema = z
  .object({
    accountId: ZUuid.optional().meta({ description: "Only this linked account's runs" }),
    cursor: z
      .string({ error: "must be a string" })
      .min(1, { error: "must not be empty" })
      .max(128, { error: "must be at most 128 characters" })
      .regex(/^[A-Za-z0-9_-]+$/, { error: "is not a cursor this API issued" })
      .optional()
      .meta({ description: "`nextCursor` of the previous page" }),
    limit: z.coerce
      .number<number>({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(IMPORTS_LIST_MAX_LIMIT, { error: `must be at most ${IMPORTS_LIST_MAX_LIMIT}` })
      .default(IMPORTS_LIST_DEFAULT_LIMIT)
      .meta({ description: "Runs per page" }),
  })
  .prefault({});

const ZIsoDateTime = z.string().meta({ description: "ISO 8601, UTC" });
const count = z.number().int();

export const ZImportRunSchema = z
  .object({
    id: z.string(),
    linkedAccountId: z.string(),
    provider: z.enum(PROVIDER_IDS),
    trigger: z.enum(["manual", "schedule"]).meta({
      description: "manual: started by its owner; schedule: the daily sync (new items only)",
    }),
    status: z.enum(["queued", "running", "completed", "failed"]),
    counts: z.object({
      seen: count.meta({
        description: "Items listed so far (each carousel child, each attachment)",
      }),
      new: count.meta({ description: "Recorded by this run" }),
      existing: count.meta({ description: "Already in the library" }),
      skipped: count.meta({ description: "Nothing to keep (no bytes and no text)" }),
      failed: count.meta({ description: "Could not be fetched or stored; see errors" }),
      pending: count.meta({ description: "Waiting for their bytes" }),
    }),
    progress: z.object({
      pagesDone: count,
      listingDone: z.boolean(),
      itemsDone: count,
      percent: z
        .number()
        .int()
        .nullable()
        .meta({ description: "Settled items out of those seen, once the listing is done" }),
    }),
    errors: z
      .array(
        z.object({
          itemId: z.string().nullable(),
          providerItemId: z.string().nullable(),
          code: z.string(),
          reason: z.string(),
          at: ZIsoDateTime,
        }),
      )
      .meta({ description: "The last per-item failures, newest first (bounded)" }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().meta({
      description: "Why the run as a whole failed: needs_relink, retry_later or misconfigured",
    }),
    createdAt: ZIsoDateTime,
    startedAt: ZIsoDateTime.nullable(),
    finishedAt: ZIsoDateTime.nullable(),
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: "ImportRun" });

export const ZStartImportResponseSchema = z.object({
  run: ZImportRunSchema,
  started: z.boolean().meta({
    description: "False when the account already had a run going: `run` is that one",
  }),
});

export const ZGetImportResponseSchema = z.object({ run: ZImportRunSchema });

export const ZListImportsResponseSchema = z.object({
  runs: z.array(ZImportRunSchema),
  nextCursor: z.string().nullable(),
});
