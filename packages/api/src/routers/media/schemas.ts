import { z } from "zod";

/**
 * Inputs and outputs of the media procedures (and the item shape the upload route answers
 * with); the OpenAPI document is built from these. Every input here arrives as a query
 * string or a path segment over REST, so numbers are coerced explicitly and dates are ISO
 * strings (docs/openapi-bridge.md).
 */

export const MEDIA_SOURCES = ["upload", "provider"] as const;
export const MEDIA_KINDS = ["image", "video", "document", "post"] as const;
export const MEDIA_STATUSES = ["pending", "stored", "failed"] as const;
export const THUMBNAIL_STATUSES = ["none", "pending", "ready", "failed"] as const;

export const ZMediaSourceSchema = z
  .enum(MEDIA_SOURCES, { error: `must be one of: ${MEDIA_SOURCES.join(", ")}` })
  .meta({ description: "Uploaded here, or imported from a linked account" });

export const ZMediaKindSchema = z.enum(MEDIA_KINDS, {
  error: `must be one of: ${MEDIA_KINDS.join(", ")}`,
});

export const ZMediaIdSchema = z
  .uuid({ error: "must be a UUID" })
  .meta({ examples: ["3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09"] });

export const ZMediaIdRequestSchema = z.object({ id: ZMediaIdSchema });

const ISO_DATETIME_ERROR =
  "must be an ISO 8601 date-time with a time zone, e.g. 2025-01-31T00:00:00Z";

const ZDateTimeFilterSchema = z.iso.datetime({ offset: true, error: ISO_DATETIME_ERROR });

export const MEDIA_LIST_DEFAULT_LIMIT = 50;
export const MEDIA_LIST_MAX_LIMIT = 200;

/** An opaque position in one listing, as `nextCursor` gave it (see core's timeline cursor). */
export const ZMediaCursorSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(128, { error: "must be at most 128 characters" })
  .regex(/^[A-Za-z0-9_-]+$/, { error: "is not a cursor this API issued" })
  .meta({ description: "`nextCursor` of the previous page, with the same filters" });

/** The filters `media.list` and `media.buckets` share. */
const timelineFilterShape = {
  source: ZMediaSourceSchema.optional(),
  kind: ZMediaKindSchema.optional(),
  from: ZDateTimeFilterSchema.optional().meta({
    description: "Only items taken at or after this instant (inclusive)",
  }),
  to: ZDateTimeFilterSchema.optional().meta({
    description: "Only items taken before this instant (exclusive)",
  }),
};

/** `from` after `to` is a mistake, not an empty range: say so, naming the field. */
function fromNotAfterTo(
  value: { from?: string | undefined; to?: string | undefined },
  ctx: z.core.$RefinementCtx,
): void {
  if (value.from === undefined || value.to === undefined) return;
  if (Date.parse(value.from) > Date.parse(value.to)) {
    ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after `to`" });
  }
}

export const ZMediaListRequestSchema = z
  .object({
    ...timelineFilterShape,
    cursor: ZMediaCursorSchema.optional(),
    // Explicit coercion: over REST it arrives as a query string (docs/openapi-bridge.md).
    limit: z.coerce
      .number<number>({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be at least 1" })
      .max(MEDIA_LIST_MAX_LIMIT, { error: `must be at most ${MEDIA_LIST_MAX_LIMIT}` })
      .default(MEDIA_LIST_DEFAULT_LIMIT)
      .meta({ description: "Items per page" }),
  })
  .superRefine(fromNotAfterTo)
  // A call without input (`media.list()` over tRPC) is the first page, unfiltered.
  .prefault({});

export const ZMediaBucketsRequestSchema = z
  .object(timelineFilterShape)
  .superRefine(fromNotAfterTo)
  .prefault({});

const ZIsoDateTime = z.string().meta({ description: "ISO 8601, UTC" });

export const ZMediaItemSchema = z
  .object({
    id: z.uuid(),
    source: ZMediaSourceSchema,
    kind: ZMediaKindSchema,
    status: z.enum(MEDIA_STATUSES).meta({
      description: "`stored` once the bytes are in place; imports are `pending` until then",
    }),
    takenAt: ZIsoDateTime.meta({
      description: "When it happened (EXIF, the provider's date), else when it arrived",
    }),
    caption: z.string().nullable(),
    mime: z.string().nullable().meta({ description: "From the bytes, never from the name" }),
    sizeBytes: z.number().int().min(0).nullable(),
    sha256: z.string().nullable(),
    originalName: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    durationMs: z.number().int().nullable(),
    thumbnail: z.enum(THUMBNAIL_STATUSES).meta({
      description: "`pending` while the thumbnail job runs; `none` for kinds that get none",
    }),
    createdAt: ZIsoDateTime,
    contentUrl: z.string().nullable().meta({
      description: "GET it with the bearer token (Range supported); null when there are no bytes",
    }),
    thumbnailUrl: z.string().nullable().meta({
      description: "A small WebP; null until `thumbnail` is `ready`",
    }),
  })
  .meta({ id: "MediaItem" });

export const ZMediaListResponseSchema = z.object({
  items: z.array(ZMediaItemSchema).meta({ description: "Newest first (takenAt, then id)" }),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "The next page's cursor; null at the end" }),
});

export const ZMediaBucketSchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .meta({ description: "A calendar month in UTC, YYYY-MM" }),
  count: z.number().int().min(1),
});

export const ZMediaBucketsResponseSchema = z.object({
  buckets: z.array(ZMediaBucketSchema).meta({ description: "Months with items, newest first" }),
  total: z.number().int().min(0),
});

export const ZMediaItemResponseSchema = z.object({ item: ZMediaItemSchema });

export const ZMediaDeleteResponseSchema = z.object({ ok: z.literal(true) });
