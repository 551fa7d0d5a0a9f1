import { Prisma, type Db } from "@lifeline/db";

import { decodeTimelineCursor, encodeTimelineCursor } from "./cursor";
import {
  toMediaItemView,
  VIEW_COLUMNS,
  type MediaItemView,
  type MediaItemViewRow,
} from "./media-item-view";
import type { TimelineCache } from "./timeline-cache";
import { filterKey, timelineWhere, type TimelineFilters } from "./timeline-filters";

export interface ListMediaDeps {
  db: Db;
  timeline: TimelineCache;
  /** TOKEN_SECRET: signs the cursors (see cursor.ts). */
  cursorSecret: Buffer;
}

export interface ListMediaQuery extends TimelineFilters {
  /** `nextCursor` of the previous page, issued for the same user and filters. */
  cursor?: string | undefined;
  limit: number;
}

export interface MediaPage {
  items: MediaItemView[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of a user's timeline, newest first: keyset pagination over (taken_at desc, id
 * desc), so page N costs what page 1 costs (one index range scan from the cursor; no
 * OFFSET) and equal takenAt values are ordered by id, each item appearing exactly once. The
 * first page (no cursor) of each filter set is cached (see timeline-cache.ts).
 */
export async function listMedia(
  deps: ListMediaDeps,
  userId: string,
  query: ListMediaQuery,
): Promise<MediaPage> {
  const scope = filterKey(query);
  // Decoded before anything else: a bad cursor is the caller's mistake, whatever the cache says.
  const after =
    query.cursor === undefined
      ? null
      : decodeTimelineCursor(deps.cursorSecret, userId, scope, query.cursor);

  const load = async (): Promise<MediaPage> => {
    const keyset = after
      ? Prisma.sql`AND (taken_at, id) < (${after.takenAt}, ${after.id}::uuid)`
      : Prisma.empty;
    // One more than a page: whether it comes back says if there is a next page.
    const rows = await deps.db.$queryRaw<MediaItemViewRow[]>`
      SELECT ${VIEW_COLUMNS} FROM media_items
      WHERE ${timelineWhere(userId, query)} ${keyset}
      ORDER BY taken_at DESC, id DESC
      LIMIT ${query.limit + 1}`;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toMediaItemView),
      nextCursor:
        rows.length > query.limit && last
          ? encodeTimelineCursor(deps.cursorSecret, userId, scope, last)
          : null,
    };
  };

  if (after) return load();
  return deps.timeline.read(userId, `list:${query.limit}:${scope}`, load);
}
