import {
  deleteMediaItem,
  getMediaItem,
  listMedia,
  mediaBuckets,
  parseTimelineFilters,
} from "@lifeline/core";

import { protectedProcedure, router } from "../../trpc";
import {
  ZMediaBucketsRequestSchema,
  ZMediaBucketsResponseSchema,
  ZMediaDeleteResponseSchema,
  ZMediaIdRequestSchema,
  ZMediaItemResponseSchema,
  ZMediaListRequestSchema,
  ZMediaListResponseSchema,
} from "./schemas";

const TAGS = ["media"];

const ERRORS = {
  400: "Invalid input; `details` names each field",
  401: "Missing, invalid or expired access token",
  503: "Postgres is unavailable; retry shortly",
};
const ITEM_ERRORS = {
  ...ERRORS,
  404: "No such item: it does not exist, or it is not yours (the same answer either way)",
};

/**
 * The timeline's read side, and deleting. Every query is scoped to the caller: another
 * user's item is NOT_FOUND exactly like an id that never existed. Order matters for the REST
 * bridge: it matches paths in this order, so /media/buckets must come before /media/{id}.
 */
export const mediaRouter = router({
  list: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/media",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "One page of the timeline, newest first (keyset cursor; filters)",
      },
    })
    .input(ZMediaListRequestSchema)
    .output(ZMediaListResponseSchema)
    .query(({ ctx, input }) =>
      listMedia(
        {
          db: ctx.deps.db,
          timeline: ctx.deps.timeline,
          cursorSecret: ctx.deps.authConfig.tokenSecret,
        },
        ctx.auth.user.id,
        { ...parseTimelineFilters(input), cursor: input.cursor, limit: input.limit },
      ),
    ),

  buckets: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/media/buckets",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "Item counts per month (UTC), newest first, for a timeline scrubber",
      },
    })
    .input(ZMediaBucketsRequestSchema)
    .output(ZMediaBucketsResponseSchema)
    .query(({ ctx, input }) =>
      mediaBuckets(
        { db: ctx.deps.db, timeline: ctx.deps.timeline },
        ctx.auth.user.id,
        parseTimelineFilters(input),
      ),
    ),

  get: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/media/{id}",
        protect: true,
        errorResponses: ITEM_ERRORS,
        tags: TAGS,
        summary: "One of your media items (any status)",
      },
    })
    .input(ZMediaIdRequestSchema)
    .output(ZMediaItemResponseSchema)
    .query(async ({ ctx, input }) => ({
      item: await getMediaItem(ctx.deps.db, ctx.auth.user.id, input.id),
    })),

  delete: protectedProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/media/{id}",
        protect: true,
        errorResponses: ITEM_ERRORS,
        tags: TAGS,
        summary: "Delete one of your media items (its bytes go once no item uses them)",
      },
    })
    .input(ZMediaIdRequestSchema)
    .output(ZMediaDeleteResponseSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteMediaItem(
        {
          db: ctx.deps.db,
          jobs: ctx.deps.jobs,
          timeline: ctx.deps.timeline,
          logger: ctx.logger,
        },
        ctx.auth.user.id,
        input.id,
      );
      ctx.logger.info({ mediaItemId: input.id, userId: ctx.auth.user.id }, "media item deleted");
      return { ok: true as const };
    }),
});
